//! Hostile files: the `appraisal` binary, run with its address space capped at 4 GiB (so a
//! regression fails here instead of taking the machine down), is sent XLSX files that claim
//! or hold far more than an upload may, through the API and through the people page. Each
//! must be refused (413 or 422) while the server stays up, and the server's peak resident
//! memory (`VmHWM`, reset before each file) must stay under [`PEAK_BOUND_MIB`]. Ten 30 MB
//! uploads at the same moment must each get an answer and leave it up too.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, OnceLock};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use zip::write::SimpleFileOptions;

use crate::support::{answer, Backend, Http, TestDatabase};

const BIN: &str = env!("CARGO_BIN_EXE_appraisal");
/// The address space the server may use (its threads' stacks and allocator arenas are
/// reserved address space too, so this is well above what it touches).
const ADDRESS_SPACE: &str = "4294967296";
/// What the server's resident memory may peak at while it refuses one file: the limits of
/// `docs/DECISIONS.md` ("Files from outside") keep one upload well below this.
const PEAK_BOUND_MIB: u64 = 256;
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const HR_PASSWORD: &str = "hostile files 2026";

/// The server, killed when dropped.
struct Capped {
    child: Child,
    http: Http,
}

impl Drop for Capped {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Capped {
    fn start(dir: &std::path::Path, database_url: &str) -> Capped {
        let mut child = Command::new("prlimit")
            .arg(format!("--as={ADDRESS_SPACE}"))
            .arg("--")
            .arg(BIN)
            .arg("serve")
            .current_dir(dir)
            .env_clear()
            .env("APPRAISAL__SERVER__PORT", "0")
            .env("APPRAISAL__DATABASE__URL", database_url)
            .env("APPRAISAL__BOOTSTRAP__HR_PASSWORD", HR_PASSWORD)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("prlimit starts the binary");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(at) = line.find("listening on http://") {
                    let _ = tx.send(line[at + "listening on ".len()..].trim().to_owned());
                }
            }
        });
        let mut server = Capped {
            child,
            http: Http::new(String::new()),
        };
        server.http.base = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the server says where it listens");
        server
    }

    fn status_field(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("the server is still running");
        status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("no {field} in /proc/…/status"))
    }

    /// Starts a new peak: the kernel resets `VmHWM` to the current resident size.
    fn reset_peak(&self) {
        std::fs::write(format!("/proc/{}/clear_refs", self.child.id()), "5")
            .expect("clear_refs is writable");
    }

    fn peak_mib(&self) -> u64 {
        self.status_field("VmHWM:") / 1024
    }

    fn alive(&mut self) -> bool {
        self.child.try_wait().expect("wait").is_none()
    }

    async fn ready(&self) {
        let ready = self
            .http
            .client
            .get(format!("{}/ready", self.http.base))
            .send()
            .await
            .expect("the server answers");
        assert_eq!(ready.status(), StatusCode::OK);
    }
}

/// Writes a part's XML.
type PartWriter<'a> = &'a dyn Fn(&mut dyn Write);

/// A minimal workbook around one sheet part (and shared strings, if given), the sheet's XML
/// written by `sheet` straight into the compressor.
fn workbook(sheet: impl FnOnce(&mut dyn Write), shared: Option<PartWriter>) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_level(Some(1));
    let part = |zip: &mut zip::ZipWriter<_>, name: &str, body: &str| {
        zip.start_file(name, options).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    };
    part(
        &mut zip,
        "[Content_Types].xml",
        r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#,
    );
    part(
        &mut zip,
        "_rels/.rels",
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
    );
    part(
        &mut zip,
        "xl/workbook.xml",
        r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
    );
    part(
        &mut zip,
        "xl/_rels/workbook.xml.rels",
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
    );
    if let Some(shared) = shared {
        zip.start_file("xl/sharedStrings.xml", options).unwrap();
        shared(&mut zip);
    }
    zip.start_file("xl/worksheets/sheet1.xml", options).unwrap();
    sheet(&mut zip);
    zip.finish().unwrap().into_inner()
}

const SHEET_START: &str = r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#;
const SHEET_END: &str = "</sheetData></worksheet>";
const PEOPLE_HEADER: [&str; 8] = [
    "employee_number",
    "email",
    "display_name",
    "role",
    "department",
    "manager",
    "locale",
    "active",
];

fn inline(reference: Option<&str>, text: &str) -> String {
    match reference {
        Some(r) => format!(r#"<c r="{r}" t="inlineStr"><is><t>{text}</t></is></c>"#),
        None => format!(r#"<c t="inlineStr"><is><t>{text}</t></is></c>"#),
    }
}

fn header_and_one_row() -> String {
    let header: String = PEOPLE_HEADER.iter().map(|h| inline(None, h)).collect();
    let row: String = [
        "E9001",
        "far.cell@example.com",
        "Far Cell",
        "staff",
        "Human Resources",
        "",
        "en",
        "true",
    ]
    .iter()
    .map(|v| inline(None, v))
    .collect();
    format!("<row r=\"1\">{header}</row><row r=\"2\">{row}</row>")
}

/// A value in Excel's last cell.
fn last_cell() -> Vec<u8> {
    workbook(
        |w| {
            write!(
                w,
                "{SHEET_START}{}<row r=\"1048576\">{}</row>{SHEET_END}",
                header_and_one_row(),
                inline(Some("XFD1048576"), "x")
            )
            .unwrap()
        },
        None,
    )
}

/// A value past Excel's last row.
fn past_last_row() -> Vec<u8> {
    workbook(
        |w| {
            write!(
                w,
                "{SHEET_START}{}<row r=\"99999999\">{}</row>{SHEET_END}",
                header_and_one_row(),
                inline(Some("A99999999"), "x")
            )
            .unwrap()
        },
        None,
    )
}

/// 2,000,000 rows of 8 numbers, without `r` attributes.
fn two_million_rows() -> Vec<u8> {
    workbook(
        |w| {
            let header: String = PEOPLE_HEADER.iter().map(|h| inline(None, h)).collect();
            write!(w, "{SHEET_START}<row>{header}</row>").unwrap();
            let row = format!("<row>{}</row>", "<c><v>1</v></c>".repeat(8)).repeat(1000);
            for _ in 0..2000 {
                w.write_all(row.as_bytes()).unwrap();
            }
            w.write_all(SHEET_END.as_bytes()).unwrap();
        },
        None,
    )
}

/// Shared strings of 20,000,000 entries, their count not claimed.
fn twenty_million_strings() -> Vec<u8> {
    let strings = |w: &mut dyn Write| {
        w.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#)
            .unwrap();
        let entries = "<si><t>a</t></si>".repeat(10_000);
        for _ in 0..2_000 {
            w.write_all(entries.as_bytes()).unwrap();
        }
        w.write_all(b"</sst>").unwrap();
    };
    workbook(
        |w| {
            write!(
                w,
                "{SHEET_START}<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>{SHEET_END}"
            )
            .unwrap()
        },
        Some(&strings),
    )
}

struct Hostile {
    name: &'static str,
    bytes: Vec<u8>,
}

/// The files, made once for every test that sends them.
fn hostile_files() -> &'static [Hostile] {
    static FILES: OnceLock<Vec<Hostile>> = OnceLock::new();
    FILES.get_or_init(|| {
        vec![
            Hostile {
                name: "a value at XFD1048576",
                bytes: last_cell(),
            },
            Hostile {
                name: "a value at A99999999",
                bytes: past_last_row(),
            },
            Hostile {
                name: "2,000,000 rows without r=",
                bytes: two_million_rows(),
            },
            Hostile {
                name: "20,000,000 shared strings",
                bytes: twenty_million_strings(),
            },
        ]
    })
}

/// HR signed in on the pages: the session cookie and the people page's form token.
async fn page_session(http: &Http) -> (String, String) {
    let (cookie, people) =
        crate::uploads::signed_in(http, "hr@example.com", HR_PASSWORD, "/hr/people").await;
    (cookie, crate::uploads::form_token(&people))
}

/// Uploads `bytes` on the people page; answers the status.
async fn upload_on_page(http: &Http, session: &(String, String), bytes: &[u8]) -> StatusCode {
    let boundary = "----hostile-7d1f";
    let mut body = Vec::new();
    write!(
        body,
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\npeople\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"people.xlsx\"\r\nContent-Type: {XLSX}\r\n\r\n",
        session.1
    )
    .unwrap();
    body.extend_from_slice(bytes);
    write!(body, "\r\n--{boundary}--\r\n").unwrap();
    let response = http
        .client
        .post(format!("{}/hr/people/import", http.base))
        .header("cookie", &session.0)
        .header("origin", http.base.clone())
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .timeout(Duration::from_secs(120))
        .body(body)
        .send()
        .await
        .expect("the page answers");
    let status = response.status();
    let page = response.text().await.unwrap_or_default();
    let alert = page
        .find("role=\"alert\"")
        .map(|at| page[at..].chars().take(300).collect::<String>())
        .unwrap_or_default();
    eprintln!("page answer {status}: {alert}");
    status
}

async fn upload_through_api(
    http: &Http,
    path: &str,
    token: &str,
    bytes: Vec<u8>,
) -> (StatusCode, String) {
    let response = http
        .client
        .post(format!("{}{path}", http.base))
        .bearer_auth(token)
        .header("content-type", XLSX)
        .timeout(Duration::from_secs(120))
        .body(bytes)
        .send()
        .await
        .expect("the API answers");
    let answer = answer(response).await;
    (answer.status, answer.body.to_string())
}

async fn hostile_xlsx_is_refused_in_bounded_memory(backend: Backend) {
    let Some(database) = TestDatabase::create(backend) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut server = Capped::start(dir.path(), &database.url());
    let token = server.http.login("hr@example.com", HR_PASSWORD).await;
    let session = page_session(&server.http).await;
    for file in hostile_files() {
        server.reset_peak();
        let started = Instant::now();
        let (status, body) = upload_through_api(
            &server.http,
            "/api/v1/users/bulk",
            &token,
            file.bytes.clone(),
        )
        .await;
        let api_seconds = started.elapsed().as_secs_f64();
        // A helpdesk's complaints go through the same readers.
        let (complaints, _) = upload_through_api(
            &server.http,
            "/api/v1/complaints",
            &token,
            file.bytes.clone(),
        )
        .await;
        let api_peak = server.peak_mib();
        for status in [status, complaints] {
            assert!(
                status == StatusCode::UNPROCESSABLE_ENTITY
                    || status == StatusCode::PAYLOAD_TOO_LARGE,
                "{}: {status} {body}",
                file.name
            );
        }
        server.reset_peak();
        let started = Instant::now();
        let page = upload_on_page(&server.http, &session, &file.bytes).await;
        let page_seconds = started.elapsed().as_secs_f64();
        let page_peak = server.peak_mib();
        assert!(
            page == StatusCode::UNPROCESSABLE_ENTITY || page == StatusCode::PAYLOAD_TOO_LARGE,
            "{} on the page: {page}",
            file.name
        );
        eprintln!(
            "hostile ({backend:?}): {} ({} bytes): API {status} in {api_seconds:.1} s, peak {api_peak} MiB; page {page} in {page_seconds:.1} s, peak {page_peak} MiB; refusal {body}",
            file.name,
            file.bytes.len()
        );
        assert!(server.alive(), "{}: the server died", file.name);
        server.ready().await;
        assert!(
            api_peak < PEAK_BOUND_MIB && page_peak < PEAK_BOUND_MIB,
            "{}: peak {api_peak} / {page_peak} MiB",
            file.name
        );
    }
    drop(server);
}

/// Ten uploads of 30 MB each, sent at the same moment: each is answered (read, refused, or
/// told to come back), and the server stays up.
async fn ten_large_uploads_at_once_are_each_answered(backend: Backend) {
    let Some(database) = TestDatabase::create(backend) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut server = Capped::start(dir.path(), &database.url());
    let token = server.http.login("hr@example.com", HR_PASSWORD).await;
    // 30 MB of sales records: more rows than an upload may have.
    let mut csv = String::from("employee_number,occurred_on,amount,external_ref\n");
    let mut i = 0u64;
    while csv.len() < 30_000_000 {
        i += 1;
        csv.push_str(&format!(
            "E{:05},2026-01-02,{},REF-{i:012}\n",
            i % 50_000,
            i % 9_999
        ));
    }
    let csv = csv.into_bytes();
    server.reset_peak();
    let sends = (0..10).map(|_| {
        let request = server
            .http
            .client
            .post(format!("{}/api/v1/sales-records", server.http.base))
            .bearer_auth(&token)
            .header("content-type", "text/csv")
            .timeout(Duration::from_secs(300))
            .body(csv.clone());
        async move { request.send().await.map(|r| r.status()) }
    });
    let statuses = futures_util::future::join_all(sends).await;
    let peak = server.peak_mib();
    let mut seen = std::collections::BTreeMap::new();
    for status in statuses {
        let status = status.expect("every upload is answered");
        assert!(
            status.is_success() || [413, 422, 503].contains(&status.as_u16()),
            "{status}"
        );
        *seen.entry(status.as_u16()).or_insert(0) += 1;
    }
    eprintln!("ten 30 MB uploads at once ({backend:?}): answers {seen:?}, peak {peak} MiB");
    assert!(server.alive());
    server.ready().await;
    assert!(peak < 2 * PEAK_BOUND_MIB, "peak {peak} MiB");
}

#[actix_rt::test]
async fn hostile_xlsx_is_refused_in_bounded_memory_sqlite() {
    hostile_xlsx_is_refused_in_bounded_memory(Backend::Sqlite).await;
}

#[actix_rt::test]
#[cfg_attr(
    not(postgres_tests),
    ignore = "PostgreSQL: set APPRAISAL_TEST_POSTGRES_URL"
)]
async fn hostile_xlsx_is_refused_in_bounded_memory_postgres() {
    hostile_xlsx_is_refused_in_bounded_memory(Backend::Postgres).await;
}

#[actix_rt::test]
async fn ten_large_uploads_at_once_are_each_answered_sqlite() {
    ten_large_uploads_at_once_are_each_answered(Backend::Sqlite).await;
}

#[actix_rt::test]
#[cfg_attr(
    not(postgres_tests),
    ignore = "PostgreSQL: set APPRAISAL_TEST_POSTGRES_URL"
)]
async fn ten_large_uploads_at_once_are_each_answered_postgres() {
    ten_large_uploads_at_once_are_each_answered(Backend::Postgres).await;
}
