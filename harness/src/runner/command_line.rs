//! The command line a report shows: the one the user typed. Under `cargo test`
//! the process is a test binary (`target/debug/deps/wiki-1a2b…`) that cargo
//! started, so the parent's command line is the one to show.

/// The user's command line, secrets redacted: the parent's when the parent
/// is cargo, else this process's with the program's file name only.
pub fn shown(argv: &[String]) -> Vec<String> {
    let parent = std::fs::read(format!(
        "/proc/{}/cmdline",
        std::os::unix::process::parent_id()
    ))
    .ok()
    .map(|bytes| {
        bytes
            .split(|b| *b == 0)
            .filter(|a| !a.is_empty())
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect::<Vec<_>>()
    });
    choose(parent.as_deref(), argv)
        .iter()
        .map(|a| crate::redact::redact(a))
        .collect()
}

fn file_name(program: &str) -> &str {
    program.rsplit('/').next().unwrap_or(program)
}

/// `parent` when its program is cargo, else `argv`; the program as its file name.
fn choose(parent: Option<&[String]>, argv: &[String]) -> Vec<String> {
    let words = match parent {
        Some(p) if p.first().is_some_and(|prog| file_name(prog) == "cargo") => p,
        _ => argv,
    };
    let mut out: Vec<String> = words.to_vec();
    if let Some(first) = out.first_mut() {
        *first = file_name(first).to_owned();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split(' ').map(str::to_owned).collect()
    }

    #[test]
    fn cargo_parent_is_shown_else_the_program_by_name() {
        let argv = words("/work/target/debug/deps/wiki-1a2b3c --target local");
        let cargo =
            words("/root/.rustup/toolchains/stable/bin/cargo test -- --target local --load");
        assert_eq!(
            choose(Some(&cargo), &argv),
            words("cargo test -- --target local --load")
        );
        let shell = words("/bin/bash ci/soak 3");
        assert_eq!(
            choose(Some(&shell), &argv),
            words("wiki-1a2b3c --target local")
        );
        assert_eq!(choose(None, &argv), words("wiki-1a2b3c --target local"));
    }

    #[test]
    fn secrets_in_the_shown_line_are_redacted() {
        let line = shown(&words("wiki --target local token=abc123secret"));
        assert!(line.iter().all(|w| !w.contains("abc123secret")), "{line:?}");
    }
}
