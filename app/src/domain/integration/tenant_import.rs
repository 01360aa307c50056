//! Parses the tenant import file: a CSV with the header `tenantId,displayName,defaultDomainName`.
//! Bad rows are reported by line number; good rows still import.

use crate::domain::{DiscoveredTenant, DomainError, QUOTED_CHARS, quote};

pub const HEADER: [&str; 3] = ["tenantId", "displayName", "defaultDomainName"];
pub const MAX_ROWS: usize = 20_000;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Parsed {
    pub tenants: Vec<DiscoveredTenant>,
    /// (1-based line number, reason)
    pub rejected: Vec<(usize, String)>,
}

/// One CSV record: the line it starts on, and its fields.
pub type Record = (usize, Vec<String>);

/// The most fields a record may have (the mapping export has 7); a wider record is refused.
pub const MAX_FIELDS: usize = 64;
/// The most characters kept of one field: a longer one is cut there (no field either import
/// uses is longer than a name; the export's Organizations column can be, and is not read).
pub const MAX_FIELD_CHARS: usize = 2_000;

/// A record the reader could not take: the line it starts on, why, and whether the file
/// cannot be read past it (an unclosed quote swallows the rest of the file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub line: usize,
    pub why: String,
    pub fatal: bool,
}

/// Splits CSV text into records as they are asked for, handling quoted fields with `""`
/// escapes and newlines inside quotes. What it holds at once is one record, bounded by
/// [`MAX_FIELDS`] and [`MAX_FIELD_CHARS`]; blank lines are skipped without allocating — so a
/// file's cost is its own size, whatever it holds, and a reader that stops after the row
/// limit reads no further.
pub fn records(text: &str) -> Records<'_> {
    Records {
        chars: text.trim_start_matches('\u{feff}').chars().peekable(),
        line: 1,
        done: false,
    }
}

pub struct Records<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    line: usize,
    done: bool,
}

impl Iterator for Records<'_> {
    type Item = Result<Record, Refusal>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            let start = self.line;
            let mut fields: Vec<String> = Vec::new();
            // Allocates only once a character is kept: a blank line costs nothing.
            let mut field = String::new();
            let mut chars_in_field = 0;
            let mut quoted = false;
            let mut wide = false;
            let keep = |field: &mut String, chars: &mut usize, c: char| {
                if *chars < MAX_FIELD_CHARS {
                    field.push(c);
                }
                *chars += 1;
            };
            loop {
                let Some(c) = self.chars.next() else {
                    self.done = true;
                    if quoted {
                        return Some(Err(Refusal {
                            line: start,
                            why: "a quoted field is not closed".into(),
                            fatal: true,
                        }));
                    }
                    break;
                };
                if quoted {
                    match c {
                        '"' if self.chars.peek() == Some(&'"') => {
                            self.chars.next();
                            keep(&mut field, &mut chars_in_field, '"');
                        }
                        '"' => quoted = false,
                        '\n' => {
                            self.line += 1;
                            keep(&mut field, &mut chars_in_field, '\n');
                        }
                        _ => keep(&mut field, &mut chars_in_field, c),
                    }
                    continue;
                }
                match c {
                    '"' if chars_in_field == 0 => quoted = true,
                    ',' => {
                        if fields.len() < MAX_FIELDS {
                            fields.push(std::mem::take(&mut field));
                        } else {
                            wide = true;
                            field.clear();
                        }
                        chars_in_field = 0;
                    }
                    '\r' => {}
                    '\n' => {
                        self.line += 1;
                        break;
                    }
                    _ => keep(&mut field, &mut chars_in_field, c),
                }
            }
            if wide || fields.len() >= MAX_FIELDS {
                return Some(Err(Refusal {
                    line: start,
                    why: format!("more than {MAX_FIELDS} fields"),
                    fatal: false,
                }));
            }
            if fields.is_empty() && field.trim().is_empty() {
                continue; // a blank line
            }
            fields.push(field);
            return Some(Ok((start, fields)));
        }
        None
    }
}

/// Parses the whole file. A wrong header is an error for the file; bad rows are collected.
pub fn parse(text: &str) -> Result<Parsed, DomainError> {
    let file_error =
        |r: Refusal| DomainError::invalid("csv", format!("line {}: {}", r.line, r.why));
    let mut rows = records(text);
    let header = match rows.next() {
        None => {
            return Err(DomainError::invalid(
                "csv",
                "The file is empty; expected the header tenantId,displayName,defaultDomainName",
            ));
        }
        Some(Err(r)) => return Err(file_error(r)),
        Some(Ok((_, header))) => header,
    };
    let header: Vec<&str> = header.iter().map(|h| h.trim()).collect();
    if header != HEADER {
        return Err(DomainError::invalid(
            "csv",
            format!(
                "The first line must be tenantId,displayName,defaultDomainName (found {})",
                quote(&header.join(","), QUOTED_CHARS)
            ),
        ));
    }
    let mut parsed = Parsed::default();
    let mut seen = std::collections::HashMap::new();
    for row in rows {
        let (line, fields) = match row {
            Ok(row) => row,
            Err(r) if r.fatal => return Err(file_error(r)),
            Err(r) => (r.line, Vec::new()),
        };
        if parsed.tenants.len() + parsed.rejected.len() >= MAX_ROWS {
            parsed.rejected.push((
                line,
                format!("the file has more than {MAX_ROWS} rows; the rest was not read"),
            ));
            break;
        }
        if fields.is_empty() {
            parsed
                .rejected
                .push((line, format!("more than {MAX_FIELDS} fields")));
            continue;
        }
        if fields.len() != 3 {
            parsed
                .rejected
                .push((line, format!("expected 3 fields, found {}", fields.len())));
            continue;
        }
        match DiscoveredTenant::parse(&fields[0], &fields[1], &fields[2]) {
            Ok(t) => {
                if let Some(first) = seen.insert(t.tenant_id, line) {
                    parsed.rejected.push((
                        line,
                        format!("tenant ID {} already appears on line {first}", t.tenant_id),
                    ));
                } else {
                    parsed.tenants.push(t);
                }
            }
            Err(DomainError::Invalid { field, message }) => {
                parsed.rejected.push((line, format!("{field} {message}")))
            }
            Err(e) => parsed.rejected.push((line, e.to_string())),
        }
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_rows_import_and_bad_rows_are_reported_by_line() {
        let text = "tenantId,displayName,defaultDomainName\r\n\
            72f988bf-86f1-41af-91ab-2d7cd011db47,Foggy IT,foggyit.onmicrosoft.com\r\n\
            not-a-guid,Bad,bad.onmicrosoft.com\n\
            \"0b5e7c1a-1111-4c2b-9a11-000000000001\",\"Acme, \"\"Dental\"\"\",acme.onmicrosoft.com\n\
            0b5e7c1a-1111-4c2b-9a11-000000000002,Two fields\n\
            72f988bf-86f1-41af-91ab-2d7cd011db47,Again,again.onmicrosoft.com\n";
        let p = parse(text).unwrap();
        assert_eq!(p.tenants.len(), 2);
        assert_eq!(p.tenants[1].display_name, "Acme, \"Dental\"");
        let lines: Vec<usize> = p.rejected.iter().map(|r| r.0).collect();
        assert_eq!(lines, vec![3, 5, 6]);
        assert!(p.rejected[0].1.contains("tenant ID"), "{:?}", p.rejected);
    }

    #[test]
    fn records_cost_their_own_size_and_errors_quote_a_little() {
        // Blank lines are skipped; a field is cut at its limit; a wide record is refused.
        let long = "x".repeat(MAX_FIELD_CHARS + 500);
        let wide = vec!["a"; MAX_FIELDS + 1].join(",");
        let text = format!("\n\n  \r\n{long},b\n\n{wide}\n\"q\"\"\nr\",z\n");
        let got: Vec<_> = records(&text).collect();
        assert_eq!(got.len(), 3, "{got:?}");
        let (line, fields) = got[0].clone().unwrap();
        assert_eq!(line, 4);
        assert_eq!(fields[0].chars().count(), MAX_FIELD_CHARS);
        assert_eq!(fields[1], "b");
        let refused = got[1].clone().unwrap_err();
        assert_eq!((refused.line, refused.fatal), (6, false));
        assert_eq!(
            got[2].clone().unwrap(),
            (7, vec!["q\"\nr".into(), "z".into()])
        );
        // A header of a megabyte is quoted in 200 characters.
        let err = parse(&format!("{}\n", "h".repeat(1_000_000))).unwrap_err();
        let said = err.to_string();
        assert!(said.len() < 400, "{} bytes", said.len());
        assert!(said.ends_with("…)"), "{said}");
        // A file of blank lines is an empty file, read in one pass.
        assert!(parse(&"\n".repeat(100_000)).is_err());
    }

    #[test]
    fn a_wrong_header_refuses_the_file() {
        assert!(parse("id,name\n").is_err());
        assert!(parse("").is_err());
        assert!(parse("tenantId,displayName,defaultDomainName\n\"open").is_err());
    }
}
