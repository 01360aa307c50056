//! Parses the tenant import file: a CSV with the header `tenantId,displayName,defaultDomainName`.
//! Bad rows are reported by line number; good rows still import.

use super::{DiscoveredTenant, DomainError};

pub const HEADER: [&str; 3] = ["tenantId", "displayName", "defaultDomainName"];
pub const MAX_ROWS: usize = 20_000;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Parsed {
    pub tenants: Vec<DiscoveredTenant>,
    /// (1-based line number, reason)
    pub rejected: Vec<(usize, String)>,
}

/// One CSV record: the line it starts on, and its fields.
pub(crate) type Record = (usize, Vec<String>);

/// Splits CSV text into records, handling quoted fields with `""` escapes and newlines inside
/// quotes. An error names the line where the unclosed quote starts.
pub(crate) fn records(text: &str) -> Result<Vec<Record>, (usize, String)> {
    let mut out = Vec::new();
    let mut line = 1;
    let mut start_line = 1;
    let mut field = String::new();
    let mut fields = Vec::new();
    let mut quoted = false;
    let mut chars = text.trim_start_matches('\u{feff}').chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    field.push('\n');
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => quoted = true,
            ',' => fields.push(std::mem::take(&mut field)),
            '\r' => {}
            '\n' => {
                fields.push(std::mem::take(&mut field));
                out.push((start_line, std::mem::take(&mut fields)));
                line += 1;
                start_line = line;
            }
            _ => field.push(c),
        }
    }
    if quoted {
        return Err((start_line, "a quoted field is not closed".to_string()));
    }
    if !field.is_empty() || !fields.is_empty() {
        fields.push(field);
        out.push((start_line, fields));
    }
    Ok(out)
}

/// Parses the whole file. A wrong header is an error for the file; bad rows are collected.
pub fn parse(text: &str) -> Result<Parsed, DomainError> {
    let rows = records(text)
        .map_err(|(line, why)| DomainError::invalid("csv", format!("line {line}: {why}")))?;
    let mut rows = rows
        .into_iter()
        .filter(|(_, f)| !(f.len() == 1 && f[0].trim().is_empty()));
    let Some((_, header)) = rows.next() else {
        return Err(DomainError::invalid(
            "csv",
            "The file is empty; expected the header tenantId,displayName,defaultDomainName",
        ));
    };
    let header: Vec<&str> = header.iter().map(|h| h.trim()).collect();
    if header != HEADER {
        return Err(DomainError::invalid(
            "csv",
            format!(
                "The first line must be tenantId,displayName,defaultDomainName (found {})",
                header.join(",")
            ),
        ));
    }
    let mut parsed = Parsed::default();
    let mut seen = std::collections::HashMap::new();
    for (line, fields) in rows {
        if parsed.tenants.len() + parsed.rejected.len() >= MAX_ROWS {
            parsed.rejected.push((
                line,
                format!("the file has more than {MAX_ROWS} rows; the rest was not read"),
            ));
            break;
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
    fn a_wrong_header_refuses_the_file() {
        assert!(parse("id,name\n").is_err());
        assert!(parse("").is_err());
        assert!(parse("tenantId,displayName,defaultDomainName\n\"open").is_err());
    }
}
