//! The words of a name and the domain of an email or website, as Suggestions compare them.

/// Words dropped from the end of a name: legal forms.
const LEGAL_SUFFIXES: &[&str] = &[
    "inc",
    "incorporated",
    "llc",
    "llp",
    "lp",
    "pllc",
    "pc",
    "ltd",
    "limited",
    "plc",
    "corp",
    "corporation",
    "co",
    "company",
    "gmbh",
    "ag",
    "kg",
    "ug",
    "mbh",
    "pty",
    "sa",
    "sas",
    "sarl",
    "srl",
    "spa",
    "bv",
    "nv",
    "oy",
    "ab",
    "as",
    "aps",
    "kk",
    "m365",
    "o365",
];

/// Email domains many unrelated Organizations share: never evidence.
const SHARED_MAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "msn.com",
    "yahoo.com",
    "icloud.com",
    "me.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "gmx.com",
    "gmx.net",
    "gmx.de",
    "web.de",
    "zoho.com",
    "yandex.com",
    "mail.com",
    "comcast.net",
];

/// A name's words after normalizing: lowercase letters and digits, "&" and "and" dropped (so
/// "Keane & Associates", "Keane and Associates" and "Keane Associates" are one name), a
/// bracketed part ("(M365)") and a location suffix (" - Boston") dropped, legal forms at the
/// end dropped. Empty when nothing is left.
pub fn name_words(name: &str) -> Vec<String> {
    let lower = name.to_lowercase();
    words_of(office_stripped(&lower))
}

/// The same with the location suffix kept: "Harbor Dental - Boston" and "Harbor Dental -
/// Waltham" are one business but two names.
pub fn full_name_words(name: &str) -> Vec<String> {
    words_of(&name.to_lowercase())
}

/// The part before a location or office suffix (the first spaced dash or bar), when something
/// is left before it.
fn office_stripped(lower: &str) -> &str {
    let mut base = lower;
    for sep in [" - ", " – ", " — ", " | ", " / "] {
        if let Some((head, _)) = base.split_once(sep)
            && !head.trim().is_empty()
        {
            base = head;
        }
    }
    base
}

fn words_of(base: &str) -> Vec<String> {
    let mut text = String::with_capacity(base.len());
    let mut depth = 0u32;
    for c in base.chars() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            '&' | '+' => text.push_str(" and "),
            // "O'Brien" and "A.B.C." are one word.
            '\'' | '’' | '.' => {}
            c if c.is_alphanumeric() => text.push(c),
            _ => text.push(' '),
        }
    }
    let mut words: Vec<String> = text.split_whitespace().map(str::to_string).collect();
    // "… GmbH & Co. KG": the legal forms, and an "and" left between them.
    while words.len() > 1
        && words
            .last()
            .is_some_and(|w| w == "and" || LEGAL_SUFFIXES.contains(&w.as_str()))
    {
        words.pop();
    }
    if words.first().is_some_and(|w| w == "the") && words.len() > 1 {
        words.remove(0);
    }
    if words.len() > 1 {
        words.retain(|w| w != "and");
    }
    words
}

/// What separates a legal name from the name it trades under.
const TRADING_AS: &[&str] = &[
    " dba ",
    " d/b/a ",
    " d.b.a. ",
    " t/a ",
    " trading as ",
    " aka ",
];

/// The names one name stands for: itself and, for "Smith Holdings LLC dba Smith Plumbing",
/// each side of the "dba" (the legal name and the trading name).
pub fn names_in(name: &str) -> Vec<&str> {
    let lower = name.to_lowercase();
    let mut out = vec![name];
    for sep in TRADING_AS {
        if let Some(at) = lower.find(sep) {
            let (legal, trading) = (&name[..at], &name[at + sep.len()..]);
            out.extend(
                [legal, trading]
                    .into_iter()
                    .filter(|n| !n.trim().is_empty()),
            );
            break;
        }
    }
    out
}

/// Whether `a` becomes `b` by one letter dropped, added, changed, or two neighbours swapped.
pub fn one_edit_apart(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let (short, long) = if a.len() <= b.len() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    if long.len() - short.len() > 1 || a == b {
        return false;
    }
    let start = short
        .iter()
        .zip(long.iter())
        .take_while(|(x, y)| x == y)
        .count();
    if short.len() == long.len() {
        // Changed at `start`, or swapped with the next one.
        short[start + 1..] == long[start + 1..]
            || (start + 1 < short.len()
                && short[start] == long[start + 1]
                && short[start + 1] == long[start]
                && short[start + 2..] == long[start + 2..])
    } else {
        short[start..] == long[start + 1..]
    }
}

/// The host of an email address or a website, lowercased, without `www.`; `None` for a shared
/// mail provider or something that is not a domain.
pub fn domain_of(email_or_site: &str) -> Option<String> {
    let s = email_or_site.trim().to_lowercase();
    let host = match s.rsplit_once('@') {
        Some((_, host)) => host.to_string(),
        None => {
            let rest = s.split_once("://").map_or(s.as_str(), |(_, r)| r);
            rest.split(['/', '?', '#', ':'])
                .next()
                .unwrap_or("")
                .to_string()
        }
    };
    let host = host.trim_end_matches('.');
    let host = host.strip_prefix("www.").unwrap_or(host);
    let ok = host.contains('.')
        && host
            .split('.')
            .all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
    (ok && !SHARED_MAIL_DOMAINS.contains(&host)).then(|| host.to_string())
}
