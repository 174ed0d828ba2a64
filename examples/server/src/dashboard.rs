//! The dashboard of `examples/web`, built into the binary and fed from `GET /report`.
//!
//! The page's `app.js` has two modes: opened from a static server it loads the WebAssembly
//! engine and reads the bundled example data or dropped files; served from here, its HTML
//! carries `<meta name="convolens-report" content="report">` and it asks this server's
//! `/report` instead (no WebAssembly, no file drop).

/// The page's script (`examples/web/app.js`).
pub const APP_JS: &str = include_str!("../../web/app.js");
/// The page's style sheet (`examples/web/style.css`).
pub const STYLE_CSS: &str = include_str!("../../web/style.css");
/// The page as the static server gives it (`examples/web/index.html`).
pub const INDEX_HTML: &str = include_str!("../../web/index.html");

/// Every file the page loads in server mode, by URL path, with its content type: the
/// script's modules (views, building blocks, metric definitions) beside it. The Web Worker
/// and the WebAssembly package are file mode only.
pub const ASSETS: &[(&str, &str, &str)] = &[
    ("/app.js", JS, APP_JS),
    ("/ui.js", JS, include_str!("../../web/ui.js")),
    ("/views.js", JS, include_str!("../../web/views.js")),
    (
        "/definitions.js",
        JS,
        include_str!("../../web/definitions.js"),
    ),
    ("/style.css", "text/css; charset=utf-8", STYLE_CSS),
];

const JS: &str = "text/javascript; charset=utf-8";

/// The marker that switches the page to server mode: the report URL, relative to the page.
pub const REPORT_META: &str = r#"<meta name="convolens-report" content="report">"#;

/// The page with the server-mode marker in its head.
pub fn index_html() -> String {
    INDEX_HTML.replacen("</head>", &format!("  {REPORT_META}\n</head>"), 1)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_marker_lands_in_the_head_once() {
        let page = super::index_html();
        assert_eq!(page.matches(super::REPORT_META).count(), 1);
        assert!(page.find(super::REPORT_META) < page.find("</head>"));
    }

    #[test]
    fn every_module_the_page_imports_is_served() {
        let served: Vec<&str> = super::ASSETS.iter().map(|(p, _, _)| *p).collect();
        for (_, _, text) in super::ASSETS {
            for line in text.lines().filter(|l| l.starts_with("import ")) {
                let Some(name) = line.split("'./").nth(1).and_then(|r| r.split('\'').next()) else {
                    continue;
                };
                assert!(
                    served.contains(&format!("/{name}").as_str()),
                    "{name} is not served"
                );
            }
        }
    }
}
