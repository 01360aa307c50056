//! A page's form as a browser would post it: what a person sees filled in, read from the HTML
//! (the hidden fields, the inputs' values, the ticked boxes and radios, the chosen options and
//! the text areas), so a test can post exactly what the page would.

/// The attributes of one tag (`<input a="b" c>`), unescaped.
fn attributes(tag: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = tag
        .trim_start_matches('<')
        .split_once(char::is_whitespace)
        .map(|(_, r)| r)
        .unwrap_or_default();
    loop {
        rest = rest.trim_start();
        if rest.is_empty() || rest.starts_with('>') || rest.starts_with("/>") {
            break;
        }
        let end = rest
            .find(|c: char| c == '=' || c.is_whitespace() || c == '>')
            .unwrap_or(rest.len());
        let name = rest[..end].to_string();
        rest = &rest[end..];
        if let Some(r) = rest.strip_prefix("=\"") {
            let close = r.find('"').unwrap_or(r.len());
            out.push((name, unescape(&r[..close])));
            rest = &r[(close + 1).min(r.len())..];
        } else {
            out.push((name, String::new()));
        }
    }
    out
}

pub fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn attr<'a>(attrs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The fields the form that posts to `/api/{endpoint}` would post, in order.
pub fn form_fields(html: &str, endpoint: &str) -> Vec<(String, String)> {
    let html = html.replace("<!>", "");
    let action = format!("action=\"/api/{endpoint}\"");
    let start = html
        .find(&action)
        .unwrap_or_else(|| panic!("no form posts to {endpoint}"));
    let start = html[..start].rfind("<form").unwrap();
    let end = start + html[start..].find("</form>").unwrap();
    let form = &html[start..end];
    let mut fields = Vec::new();
    let mut at = 0;
    while let Some(open) = form[at..].find('<') {
        let open = at + open;
        let close = open + form[open..].find('>').unwrap();
        let tag = &form[open..=close];
        at = close + 1;
        let attrs = attributes(tag);
        let name = attr(&attrs, "name").map(str::to_string);
        if tag.starts_with("<input") {
            let Some(name) = name else { continue };
            let kind = attr(&attrs, "type").unwrap_or("text");
            let value = attr(&attrs, "value").unwrap_or_default().to_string();
            match kind {
                "submit" | "button" => {}
                "checkbox" | "radio" => {
                    if attr(&attrs, "checked").is_some() {
                        let value = if attr(&attrs, "value").is_some() {
                            value
                        } else {
                            "on".into()
                        };
                        fields.push((name, value));
                    }
                }
                _ => fields.push((name, value)),
            }
        } else if tag.starts_with("<textarea") {
            let Some(name) = name else { continue };
            let end = at + form[at..].find("</textarea>").unwrap();
            fields.push((name, unescape(&form[at..end])));
        } else if tag.starts_with("<select") {
            let Some(name) = name else { continue };
            let end = at + form[at..].find("</select>").unwrap();
            let options = &form[at..end];
            let mut chosen = None;
            let mut first = None;
            for option in options.split("<option").skip(1) {
                let tag = &option[..option.find('>').unwrap_or(option.len())];
                let attrs = attributes(&format!("<option {tag}>"));
                let value = attr(&attrs, "value").unwrap_or_default().to_string();
                first.get_or_insert(value.clone());
                if attr(&attrs, "selected").is_some() {
                    chosen = Some(value);
                }
            }
            if let Some(v) = chosen.or(first) {
                fields.push((name, v));
            }
        }
    }
    fields
}

/// The value of `name` among `fields` (the first).
pub fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no field {name} in {fields:?}"))
}

/// `fields` with `name` set to `value` (added if missing).
pub fn with(mut fields: Vec<(String, String)>, name: &str, value: &str) -> Vec<(String, String)> {
    match fields.iter_mut().find(|(k, _)| k == name) {
        Some(f) => f.1 = value.to_string(),
        None => fields.push((name.to_string(), value.to_string())),
    }
    fields
}

/// Borrowed pairs, for a post.
pub fn pairs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// The cookie (`name=value`) a refused post's redirect sets to vouch for the refusal in its
/// URL: the page shows the refusal only to a browser that sends it back.
pub fn refusal_cookie(res: &reqwest::Response) -> String {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
        .find(|c| c.starts_with("tenantmap_refusal="))
        .expect("the refusal's cookie")
}
