//! The errors the target's servers logged during a run: log files marked at
//! the start (their sizes), read from those offsets at the end, so that older
//! lines never count. Only the embedded wiki's logs are readable here
//! (`error_logs.source = "local-wiki"`); other sources are named, not read.

use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::OnceLock;

use regex::Regex;

use crate::localwiki::LocalWiki;
use crate::redact::redact;
use crate::target::Target;

/// Characters of a message kept (after its class).
const MESSAGE_HEAD: usize = 120;

/// How a log file's lines are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    /// MediaWiki's debug log groups: `date time host wiki: [reqid] url   Class: message`;
    /// the service is the host's first part (`mw-web.local.123` is `web`).
    MediaWiki,
    /// PHP-FPM's own log: errors, and warnings about children that crashed (`web`).
    PhpFpm,
    /// PHP's error log: fatal and parse errors only, the rest MediaWiki logs itself (`web`).
    PhpErrors,
    /// Monolog lines of the Shellbox server: `ERROR` and worse (`shellbox`).
    Shellbox,
}

/// The embedded wiki's logs that hold errors, under its state directory.
const LOCAL_WIKI_LOGS: &[(&str, Format)] = &[
    ("logs/mw-exception.log", Format::MediaWiki),
    ("logs/mw-error.log", Format::MediaWiki),
    ("logs/mw-jobs.log", Format::MediaWiki),
    ("logs/php-error.log", Format::PhpErrors),
    ("logs/shellbox.log", Format::Shellbox),
];

/// Each web replica's php-fpm master logs to `logs/php-fpm-web-N.log`.
const FPM_LOG: (&str, &str) = ("php-fpm-", ".log");

/// Lines the embedded wiki logs only because it stands in for production with
/// SQLite: MediaWiki 1.39 emulates SQLite's named locks with lock files
/// (`DatabaseSqlite`, `FSLockManager` in `data/locks`), and two processes
/// releasing the same lock race to `unlink` its file; the loser logs a PHP
/// warning. Production's MySQL locks have no files. Such lines are reported
/// apart ([`LoggedError::stand_in`]) and never count against a budget.
const STAND_IN_ONLY: &[(&str, &str)] = &[(
    r"^unlink\(\S*/data/locks/[0-9a-z]+\.lock\): No such file or directory",
    "SQLite lock-file race of the local stand-in (FSLockManager unlink), absent with production's MySQL",
)];

/// The embedded wiki's error logs: the fixed ones and every replica's php-fpm log.
fn local_wiki_logs(state: &std::path::Path) -> Vec<(String, Format)> {
    let mut logs: Vec<(String, Format)> = LOCAL_WIKI_LOGS
        .iter()
        .map(|(name, format)| ((*name).to_owned(), *format))
        .collect();
    let mut fpm: Vec<String> = std::fs::read_dir(state.join("logs"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.starts_with(FPM_LOG.0) && n.ends_with(FPM_LOG.1))
        .map(|n| format!("logs/{n}"))
        .collect();
    fpm.sort();
    logs.extend(fpm.into_iter().map(|n| (n, Format::PhpFpm)));
    logs
}

/// The service a MediaWiki host name belongs to: `mw-web-2.local.123` (a
/// replica of web) is `web`, `mw-jobrunner.local.9` is `jobrunner`.
fn service_of_host(host: &str) -> String {
    let name = host.split('.').next().unwrap_or(host);
    let name = name.strip_prefix("mw-").unwrap_or(name);
    match name.rsplit_once('-') {
        Some((service, replica))
            if !replica.is_empty() && replica.chars().all(|c| c.is_ascii_digit()) =>
        {
            service.to_owned()
        }
        _ => name.to_owned(),
    }
}

/// One error a server logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedError {
    /// The service that logged it (`web`, `jobrunner`, `shellbox`).
    pub service: String,
    /// Exception class or level (`RuntimeException`, `PHP Fatal error`, `shellbox.ERROR`).
    pub class: String,
    /// The start of its message, secrets redacted.
    pub message: String,
    /// The log file, relative to where the logs live.
    pub file: String,
    /// Why it exists only on the local stand-in, when it does (not counted).
    pub stand_in: Option<&'static str>,
}

/// The target's log files as they were when the run started.
#[derive(Debug)]
pub struct ServerLogs {
    files: Vec<(PathBuf, String, Format, u64)>,
    read: OnceLock<Vec<LoggedError>>,
}

impl ServerLogs {
    /// Marks the target's error logs now, or says why they cannot be read.
    pub fn mark(target: &Target) -> Result<Self, String> {
        let logs = target.error_logs.as_ref().ok_or_else(|| {
            format!(
                "target `{}` names no error logs (error_logs in {})",
                target.name,
                target.file.display()
            )
        })?;
        if !logs.readable() {
            return Err(format!(
                "target `{}` logs its errors to `{}`, which the harness cannot read (error_logs.source in {})",
                target.name,
                logs.source,
                target.file.display()
            ));
        }
        let state = LocalWiki::for_target(target).state_dir().to_owned();
        let files = local_wiki_logs(&state)
            .into_iter()
            .map(|(name, format)| {
                let path = state.join(&name);
                let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
                (path, name, format, size)
            })
            .collect();
        Ok(ServerLogs {
            files,
            read: OnceLock::new(),
        })
    }

    /// Every error logged since the mark, oldest first per file. The logs
    /// are read once, when first asked: the trials that ask (one per service)
    /// start together, after every other trial ended, and share that read.
    pub fn errors(&self) -> &[LoggedError] {
        self.read.get_or_init(|| {
            let mut out = Vec::new();
            for (path, name, format, start) in &self.files {
                let text = read_from(path, *start);
                out.extend(text.lines().filter_map(|line| parse(line, *format, name)));
            }
            out
        })
    }
}

/// The file's text from `offset` (from the start if it shrank: rotated).
fn read_from(path: &std::path::Path, offset: u64) -> String {
    let Ok(mut file) = std::fs::File::open(path) else {
        return String::new();
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let from = if len < offset { 0 } else { offset };
    let mut bytes = Vec::new();
    if file.seek(SeekFrom::Start(from)).is_ok() {
        let _ = file.read_to_end(&mut bytes);
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn regex(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("valid pattern"))
}

/// The error a log line records, if it records one.
fn parse(line: &str, format: Format, file: &str) -> Option<LoggedError> {
    static MW: OnceLock<Regex> = OnceLock::new();
    static FPM: OnceLock<Regex> = OnceLock::new();
    static PHP: OnceLock<Regex> = OnceLock::new();
    static SHELLBOX: OnceLock<Regex> = OnceLock::new();
    let (service, class, message) = match format {
        Format::MediaWiki => {
            let c = regex(
                &MW,
                r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (\S+) \S+: (?:\[[0-9a-f]+\] )?(?:\[no req\]|\S+)\s+(.+)$",
            )
            .captures(line)?;
            let service = service_of_host(&c[1]);
            let (class, message) = c[2].split_once(": ").unwrap_or((&c[2], ""));
            (service, class.trim().to_owned(), message.to_owned())
        }
        Format::PhpFpm => {
            let c = regex(&FPM, r"^\[[^\]]+\] (WARNING|ERROR|ALERT|EMERGENCY): (.*)$")
                .captures(line)?;
            let crashed = c[2].contains("exited on signal") || c[2].contains("exited with code");
            if &c[1] == "WARNING" && !crashed {
                return None;
            }
            ("web".into(), format!("php-fpm {}", &c[1]), c[2].to_owned())
        }
        Format::PhpErrors => {
            let c = regex(
                &PHP,
                r"^\[[^\]]+\] (PHP (?:Fatal error|Parse error)):\s+(.*)$",
            )
            .captures(line)?;
            ("web".into(), c[1].to_owned(), c[2].to_owned())
        }
        Format::Shellbox => {
            let c = regex(
                &SHELLBOX,
                r"^\[[^\]]+\] shellbox\.(ERROR|CRITICAL|ALERT|EMERGENCY): (.*?)(?: \[\].*)?$",
            )
            .captures(line)?;
            (
                "shellbox".into(),
                format!("shellbox.{}", &c[1]),
                c[2].to_owned(),
            )
        }
    };
    static KNOWN: OnceLock<Vec<(Regex, &'static str)>> = OnceLock::new();
    let known = KNOWN.get_or_init(|| {
        STAND_IN_ONLY
            .iter()
            .map(|(pattern, why)| (Regex::new(pattern).expect("valid pattern"), *why))
            .collect()
    });
    let stand_in = known
        .iter()
        .find(|(re, _)| re.is_match(message.trim()))
        .map(|(_, why)| *why);
    Some(LoggedError {
        service,
        class,
        message: redact(&message.chars().take(MESSAGE_HEAD).collect::<String>()),
        file: file.to_owned(),
        stand_in,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mediawiki_entries_name_service_class_and_message() {
        let e = parse(
            "2026-12-06 21:56:26 mw-web-1.local.5318 localwiki: [f08def0c] /w/api.php   GuzzleHttp\\Exception\\ConnectException: cURL error 7: Failed to connect",
            Format::MediaWiki,
            "logs/mw-exception.log",
        )
        .unwrap();
        assert_eq!(e.service, "web");
        assert_eq!(e.class, "GuzzleHttp\\Exception\\ConnectException");
        assert_eq!(e.message, "cURL error 7: Failed to connect");
        assert_eq!(e.stand_in, None);
        let race = parse(
            "2026-12-06 19:30:55 mw-web.local.23716 localwiki: [5e93] /w/api.php?action=query   PHP Warning: unlink(/src/target/local-wiki/data/locks/9pv0472zsnb9bw3rtreuu23c8dkq29k.lock): No such file or directory",
            Format::MediaWiki,
            "f",
        )
        .unwrap();
        assert!(race.stand_in.is_some(), "{race:?}");
        let other = parse(
            "2026-12-06 19:30:55 mw-web.local.1 w: [5e93] /w/api.php   PHP Warning: unlink(/srv/images/a.png): No such file or directory",
            Format::MediaWiki,
            "f",
        )
        .unwrap();
        assert!(other.stand_in.is_none(), "only the SQLite lock files");
        let job = parse(
            "2026-12-06 21:56:26 mw-jobrunner.local.77 localwiki: [ab12] [no req]   RuntimeException: boom",
            Format::MediaWiki,
            "f",
        )
        .unwrap();
        assert_eq!(
            (job.service.as_str(), job.class.as_str()),
            ("jobrunner", "RuntimeException")
        );
        assert!(
            parse(
                "#3 /usr/share/mediawiki/includes/x.php(12): f()",
                Format::MediaWiki,
                "f"
            )
            .is_none()
        );
    }

    #[test]
    fn replicas_are_their_service() {
        assert_eq!(service_of_host("mw-web-2.local.123"), "web");
        assert_eq!(service_of_host("mw-web.local.123"), "web");
        assert_eq!(service_of_host("mw-jobrunner.local.9"), "jobrunner");
        assert_eq!(service_of_host("mw-api-ext.eqiad"), "api-ext");
    }

    #[test]
    fn every_replicas_fpm_log_is_read() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("logs")).unwrap();
        for n in [
            "php-fpm-web-2.log",
            "php-fpm-web-1.log",
            "php-fpm-web-1.out",
        ] {
            std::fs::write(dir.path().join("logs").join(n), "").unwrap();
        }
        let fpm: Vec<String> = local_wiki_logs(dir.path())
            .into_iter()
            .filter(|(_, f)| *f == Format::PhpFpm)
            .map(|(n, _)| n)
            .collect();
        assert_eq!(fpm, ["logs/php-fpm-web-1.log", "logs/php-fpm-web-2.log"]);
    }

    #[test]
    fn fpm_php_and_shellbox_lines_count_only_errors() {
        assert!(
            parse(
                "[06-Dec-2026 22:13:35] NOTICE: ready to handle connections",
                Format::PhpFpm,
                "f"
            )
            .is_none()
        );
        assert!(
            parse(
                "[06-Dec-2026 22:13:35] WARNING: [pool www] server reached pm.max_children",
                Format::PhpFpm,
                "f"
            )
            .is_none()
        );
        let crash = parse(
            "[06-Dec-2026 22:13:35] WARNING: [pool www] child 12 exited on signal 11 (SIGSEGV)",
            Format::PhpFpm,
            "f",
        )
        .unwrap();
        assert_eq!(crash.class, "php-fpm WARNING");
        assert!(
            parse(
                "[06-Dec-2026 19:30:55 UTC] PHP Warning:  unlink(x): No such file",
                Format::PhpErrors,
                "f"
            )
            .is_none()
        );
        assert_eq!(
            parse(
                "[06-Dec-2026 19:30:55 UTC] PHP Fatal error:  Allowed memory size",
                Format::PhpErrors,
                "f"
            )
            .unwrap()
            .class,
            "PHP Fatal error"
        );
        assert!(
            parse(
                "[2026-12-06T21:53:15+00:00] shellbox.DEBUG: Removed file \"x\" [] []",
                Format::Shellbox,
                "f"
            )
            .is_none()
        );
        let sb = parse(
            "[2026-12-06T21:53:15+00:00] shellbox.ERROR: Command failed [] []",
            Format::Shellbox,
            "f",
        )
        .unwrap();
        assert_eq!(
            (sb.service.as_str(), sb.message.as_str()),
            ("shellbox", "Command failed")
        );
    }

    #[test]
    fn only_lines_after_the_mark_count() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mw-exception.log");
        let line = |class: &str| {
            format!("2026-12-06 21:56:26 mw-web.local.1 w: [aa] /w/index.php   {class}: x\n")
        };
        std::fs::write(&path, line("OldException")).unwrap();
        let size = std::fs::metadata(&path).unwrap().len();
        let logs = ServerLogs {
            files: vec![(
                path.clone(),
                "logs/mw-exception.log".into(),
                Format::MediaWiki,
                size,
            )],
            read: OnceLock::new(),
        };
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        std::io::Write::write_all(&mut f, line("NewException").as_bytes()).unwrap();
        let classes: Vec<&str> = logs.errors().iter().map(|e| e.class.as_str()).collect();
        assert_eq!(classes, ["NewException"]);
    }
}
