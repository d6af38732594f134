//! The HTML of the web interface: supervisord's status page (process
//! list with state, description and actions, the message of the last
//! action, stop all / restart all / refresh), its tail page, and supc's
//! page of a process's expanded config. Every page works without
//! JavaScript; `app.js` adds automatic refresh, live log following and
//! a filter box. Everything that comes from the config, the processes or
//! their logs is escaped.

use super::Row;
use std::fmt::Write;

/// HTML escaping for text and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// `urllib.quote` (keeps `/` and the unreserved characters).
pub fn quote(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"_.-~/".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn head(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><link rel=\"stylesheet\" href=\"/supc/style.css\">\
         <script src=\"/supc/app.js\" defer></script></head>\n",
        esc(title)
    )
}

/// supervisord's CSS class for a state.
fn state_class(state: i64) -> &'static str {
    match state {
        20 => "statusrunning",
        200 | 30 => "statuserror",
        _ => "statusnominal",
    }
}

/// The action links of a row (`actions_for_process`).
fn actions(row: &Row) -> String {
    let q = quote(&row.namespec);
    let link = |action: &str, label: &str| {
        format!(
            "<a class=\"action\" data-action=\"{action}\" href=\"index.html?processname={q}&amp;action={action}\">{label}</a>"
        )
    };
    let mut out = Vec::new();
    match row.state {
        20 => {
            out.push(link("restart", "Restart"));
            out.push(link("stop", "Stop"));
        }
        0 | 100 | 200 => out.push(link("start", "Start")),
        _ => {}
    }
    out.push(link("clearlog", "Clear Log"));
    out.push(format!(
        "<a href=\"logtail/{q}\" target=\"_blank\">Tail -f Stdout</a>"
    ));
    out.push(format!(
        "<a href=\"logtail/{q}/stderr\" target=\"_blank\">Tail -f Stderr</a>"
    ));
    out.push(format!(
        "<a href=\"/supc/config.html?processname={q}\">Config</a>"
    ));
    out.join(" ")
}

/// The status page.
pub fn status(rows: &[Row], message: Option<&str>, version: &str) -> String {
    let mut h = head("Supervisor Status");
    h.push_str("<body><header><h1>Supervisor Status</h1>");
    let _ = writeln!(
        h,
        "<span class=\"version\">supc run (supervisor {})</span></header>",
        esc(version)
    );
    if let Some(m) = message {
        let _ = writeln!(
            h,
            "<div id=\"statusmessage\" class=\"status_msg\">{}</div>",
            esc(m)
        );
    } else {
        h.push_str("<div id=\"statusmessage\"></div>\n");
    }
    h.push_str(
        "<nav class=\"buttons\">\
         <a href=\"index.html?action=refresh\" id=\"refresh\">Refresh</a> \
         <a href=\"index.html?action=restartall\" id=\"restartall\">Restart All</a> \
         <a href=\"index.html?action=stopall\" id=\"stopall\">Stop All</a> \
         <a href=\"/mainlogtail\" target=\"_blank\">Main log</a> \
         <input type=\"search\" id=\"filter\" placeholder=\"Filter\" hidden></nav>\n",
    );
    h.push_str("<table id=\"processes\"><thead><tr><th>State</th><th>Description</th><th>Name</th><th>Action</th></tr></thead><tbody>\n");
    for row in rows {
        let _ = writeln!(
            h,
            "<tr data-name=\"{name}\" data-state=\"{state}\"><td class=\"status\"><span class=\"{class}\">{state}</span></td>\
             <td>{desc}</td><td><a href=\"tail.html?processname={q}\">{name}</a></td><td class=\"actions\">{actions}</td></tr>",
            name = esc(&row.namespec),
            state = esc(&row.statename.to_lowercase()),
            class = state_class(row.state),
            desc = esc(&row.description),
            q = quote(&row.namespec),
            actions = actions(row),
        );
    }
    h.push_str("</tbody></table></body></html>\n");
    h
}

/// The tail page (`TailView`): the end of the stdout log; with
/// JavaScript it keeps following `/logtail/NAME`.
pub fn tail(processname: Option<&str>, text: &str, limit: i64) -> String {
    let title = format!(
        "Supervisor tail of process {}",
        processname.unwrap_or("None")
    );
    let mut h = head(&title);
    let _ = writeln!(h, "<body><header><h1>{}</h1></header>", esc(&title));
    if let Some(p) = processname {
        let _ = writeln!(
            h,
            "<nav class=\"buttons\"><a id=\"refresh_anchor\" href=\"tail.html?processname={}&amp;limit={}\">Refresh</a> \
             <a href=\"index.html\">Back</a> <label hidden><input type=\"checkbox\" id=\"follow\" checked> Follow</label></nav>",
            quote(p),
            limit.abs()
        );
        let _ = writeln!(
            h,
            "<pre id=\"tailbody\" data-follow=\"/logtail/{}\">{}</pre>",
            quote(p),
            esc(text)
        );
    } else {
        let _ = writeln!(h, "<pre id=\"tailbody\">{}</pre>", esc(text));
    }
    h.push_str("</body></html>\n");
    h
}

/// One process's expanded config page; `body` is HTML.
pub fn config(namespec: &str, body: &str) -> String {
    let title = format!("Config of {namespec}");
    let mut h = head(&title);
    let _ = write!(
        h,
        "<body><header><h1>{}</h1></header><nav class=\"buttons\"><a href=\"index.html\">Back</a></nav>\n\
         <p class=\"note\">What <code>supc explain</code> says, from the config file as it reads now.</p>\n{body}</body></html>\n",
        esc(&title),
    );
    h
}

/// One explanation as a definition list.
pub fn explanation(e: &crate::explain::Explanation) -> String {
    let mut h = format!(
        "<section class=\"explain\"><h2>{}</h2><dl>",
        esc(&e.namespec)
    );
    let mut item = |label: &str, text: &str| {
        let _ = write!(h, "<dt>{}</dt><dd>{}</dd>", esc(label), esc(text));
    };
    item("section", &format!("[{}] at {}", e.section, e.defined_at));
    if let Some(by) = &e.included_by {
        item("read through", by);
    }
    item(
        "name",
        &format!("process_name={} → {}", e.name_template, e.name),
    );
    item("process_num", &e.process_num_origin);
    item("group", &format!("{} — {}", e.group, e.group_reason));
    item(
        "start",
        &format!(
            "#{} of {}: {}",
            e.start_position, e.start_total, e.start_reason
        ),
    );
    for x in &e.expansions {
        let mut text = format!("{}\n→ {}", x.written, x.expanded);
        for v in &x.variables {
            text.push_str(&format!("\n  {} = {:?} ({})", v.name, v.value, v.origin));
        }
        item(&x.key, &text);
    }
    for n in &e.notes {
        item("note", n);
    }
    h.push_str("</dl></section>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_text_are_escaped() {
        let row = Row {
            namespec: "a<b>&\"".into(),
            statename: "RUNNING".into(),
            state: 20,
            description: "<script>x</script>".into(),
        };
        let page = status(&[row], Some("<img src=x>"), "4.3.0");
        assert!(!page.contains("<script>x"));
        assert!(!page.contains("<img src=x>"));
        assert!(page.contains("a&lt;b&gt;&amp;&quot;"));
        assert!(page.contains("processname=a%3Cb%3E%26%22&amp;action=stop"));
    }
}
