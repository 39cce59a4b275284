use std::io::Write;
use std::path::PathBuf;

use super::*;
use crate::error::SetupError;

fn repo_registry() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("targets.toml")
}

fn write_tmp(text: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(text.as_bytes()).unwrap();
    f
}

fn load_err(text: &str) -> String {
    let f = write_tmp(text);
    Registry::load(&[f.path().to_owned()])
        .unwrap_err()
        .to_string()
}

#[test]
fn repo_registry_has_the_required_targets() {
    let reg = Registry::load(&[repo_registry()]).unwrap();
    let local = reg.get("local").unwrap();
    assert_eq!(local.managed, Managed::LocalWiki);
    assert!(local.is_loopback());
    assert!(local.allow_load);
    assert!(
        local.reaches_harness,
        "the local wiki fetches from the harness (upload by URL)"
    );
    let smoke = local.load_smoke.as_ref().expect("local runs a load smoke");
    assert!(smoke.users < local.load.users && smoke.duration < local.load.duration);
    assert_eq!(smoke.max_rps, local.load.max_rps, "the same rate cap");

    let test2 = reg.get("test2").unwrap();
    assert!(test2.production && !test2.allow_load);
    assert!(!test2.reaches_harness, "test2 cannot reach our machine");
    assert!(test2.load_smoke.is_none());
    assert_eq!(test2.max_concurrent_requests, 3);
    assert_eq!(test2.maxlag, Some(5));
    assert!(!test2.is_loopback());

    let k8s = reg.get("test2-k8s-mwdebug").unwrap();
    assert_eq!(k8s.base_url, test2.base_url);
    assert_eq!(
        k8s.headers.get("X-Wikimedia-Debug").map(String::as_str),
        Some("backend=k8s-mwdebug")
    );
    assert_eq!(k8s.accounts, test2.accounts, "accounts are inherited");
    let pattern = k8s.serving_backend.as_ref().unwrap();
    assert!(pattern.is_match("mw-debug.eqiad.pinkunicorn-5d7c8d9c6b-x2x5z"));
    assert!(pattern.is_match("mw-web.eqiad.main-84b746899f-t5dd8"));
    assert!(
        !pattern.is_match("mw1414"),
        "bare metal must not match the k8s pattern"
    );
}

#[test]
fn test2_urls_are_built_like_production() {
    let reg = Registry::load(&[repo_registry()]).unwrap();
    let t = reg.get("test2").unwrap();
    assert_eq!(
        t.api_url().as_str(),
        "https://test2.wikipedia.org/w/api.php"
    );
    assert_eq!(
        t.index_url().as_str(),
        "https://test2.wikipedia.org/w/index.php"
    );
    assert_eq!(
        t.load_url().as_str(),
        "https://test2.wikipedia.org/w/load.php"
    );
    assert_eq!(
        t.rest_url("/v1/page/Main_Page/html").as_str(),
        "https://test2.wikipedia.org/w/rest.php/v1/page/Main_Page/html"
    );
    assert_eq!(
        t.rest_url("/v1/search/page?q=foo&limit=10").as_str(),
        "https://test2.wikipedia.org/w/rest.php/v1/search/page?q=foo&limit=10"
    );
    assert_eq!(
        t.article_url("Main Page").as_str(),
        "https://test2.wikipedia.org/wiki/Main_Page"
    );
    assert_eq!(
        t.article_url("User:Foo/Wikiharness/r1/Ünïcode & co?")
            .as_str(),
        "https://test2.wikipedia.org/wiki/User:Foo/Wikiharness/r1/%C3%9Cn%C3%AFcode_%26_co%3F"
    );
    assert_eq!(
        t.script_url("skins/Vector/resources/x.css").as_str(),
        "https://test2.wikipedia.org/w/skins/Vector/resources/x.css"
    );
}

#[test]
fn empty_script_path_gives_root_entry_points() {
    let f = write_tmp("[targets.t]\nbase_url = \"http://127.0.0.1:9\"\n");
    let reg = Registry::load(&[f.path().to_owned()]).unwrap();
    let t = reg.get("t").unwrap();
    assert_eq!(t.api_url().as_str(), "http://127.0.0.1:9/api.php");
    assert_eq!(
        t.article_url("A B").as_str(),
        "http://127.0.0.1:9/index.php/A_B"
    );
    assert_eq!(
        t.write,
        WritePolicy::ReadOnly,
        "read-only unless a sandbox is configured"
    );
}

#[test]
fn user_file_overrides_and_extends_repo_targets() {
    let f = write_tmp(
        "[targets.mine]\nextends = \"local\"\nbase_url = \"http://127.0.0.1:28080\"\nheaders = { X-Test = \"1\" }\n",
    );
    let reg = Registry::load(&[repo_registry(), f.path().to_owned()]).unwrap();
    let mine = reg.get("mine").unwrap();
    assert_eq!(mine.base_url.as_str(), "http://127.0.0.1:28080/");
    assert_eq!(mine.script_path, "/w");
    assert_eq!(mine.managed, Managed::LocalWiki);
    assert_eq!(mine.file, f.path());
    assert_eq!(
        mine.effect_deadline,
        std::time::Duration::from_secs(60),
        "default"
    );
    let f = write_tmp("[targets.quick]\nextends = \"local\"\neffect_deadline_secs = 5\n");
    let reg = Registry::load(&[repo_registry(), f.path().to_owned()]).unwrap();
    let quick = reg.get("quick").unwrap();
    assert_eq!(quick.effect_deadline, std::time::Duration::from_secs(5));
}

#[test]
fn unknown_target_names_the_known_ones_and_files() {
    let reg = Registry::load(&[repo_registry()]).unwrap();
    let err = reg.get("tset2").unwrap_err().to_string();
    assert!(err.contains("unknown target `tset2`"), "{err}");
    assert!(
        err.contains("local, local-legacy, test2, test2-k8s-mwdebug"),
        "{err}"
    );
    assert!(err.contains("targets.toml"), "{err}");
}

#[test]
fn malformed_toml_names_file_and_line() {
    let err = load_err("[targets.a]\nbase_url = \"http://x\"\n\nmaxlag = = 5\n");
    assert!(err.contains(":4: "), "{err}");
}

#[test]
fn missing_base_url_names_target_and_field() {
    let err = load_err("\n[targets.broken]\nscript_path = \"/w\"\n");
    assert!(
        err.contains(":2: target `broken`: field `base_url`: missing"),
        "{err}"
    );
}

#[test]
fn unknown_field_is_named() {
    let err = load_err("[targets.a]\nbase_url = \"http://127.0.0.1\"\nbse_url = \"x\"\n");
    assert!(err.contains("target `a`: field `bse_url`"), "{err}");
}

#[test]
fn bad_values_are_named() {
    let cases = [
        ("base_url = \"not a url\"", "field `base_url`"),
        ("base_url = \"ftp://127.0.0.1\"", "field `base_url`"),
        ("base_url = \"http://127.0.0.1/w\"", "must have no path"),
        (
            "base_url = \"http://127.0.0.1\"\nscript_path = \"w/\"",
            "field `script_path`",
        ),
        (
            "base_url = \"http://127.0.0.1\"\narticle_path = \"/wiki\"",
            "field `article_path`",
        ),
        (
            "base_url = \"http://127.0.0.1\"\nserving_backend = \"(\"",
            "field `serving_backend`: bad regex",
        ),
        (
            "base_url = \"http://127.0.0.1\"\nwrite = { policy = \"yolo\" }",
            "field `write.policy`",
        ),
        (
            "base_url = \"http://127.0.0.1\"\nreplicas = { count = 2, min = 1 }",
            "field `replicas.count`: give `count` or `min`, not both",
        ),
        (
            "base_url = \"http://127.0.0.1\"\nreplicas = { reads = 60 }",
            "field `replicas.count`: missing",
        ),
        (
            "base_url = \"http://127.0.0.1\"\nreplicas = { count = 2, identity = '^mw-web' }",
            "field `replicas.identity`: `^mw-web` has no group",
        ),
        (
            "base_url = \"http://127.0.0.1\"\nreplicas = { count = 4, reads = 10 }",
            "field `replicas.reads`: 10 is not between 40",
        ),
        (
            "base_url = \"http://127.0.0.1\"\nwrite = { policy = \"sandbox\", prefix = \"X/\" }",
            "field `write.prefix`: must contain `{run_id}`",
        ),
        (
            "base_url = \"http://127.0.0.1\"\nmanaged = \"k8s\"",
            "field `managed`",
        ),
        (
            "base_url = \"http://example.org\"\nmanaged = \"local-wiki\"",
            "loopback",
        ),
        (
            "base_url = \"http://127.0.0.1\"\nheaders = { \"Bad Header\" = \"x\" }",
            "field `headers.Bad Header`",
        ),
        (
            "base_url = \"http://127.0.0.1\"\naccounts.bot = { kind = \"sso\", user_env = \"A\", password_env = \"B\" }",
            "field `accounts.bot.kind`",
        ),
        (
            "base_url = \"http://127.0.0.1\"\naccounts.bot = { kind = \"main\", user_env = \"A\" }",
            "field `password_env`",
        ),
        (
            "base_url = \"http://127.0.0.1\"\nmax_concurrent_requests = 0",
            "field `max_concurrent_requests`",
        ),
        (
            "base_url = \"http://127.0.0.1\"\neffect_deadline_secs = 0",
            "field `effect_deadline_secs`: 0 is not between 1 and 3600",
        ),
        (
            "extends = \"nope\"\nbase_url = \"http://127.0.0.1\"",
            "no target `nope` to extend",
        ),
        (
            "base_url = \"http://127.0.0.1\"\nload = { smoke = { users = 0, duration_secs = 2 } }",
            "field `load.smoke.users`: 0 is not between 1 and 1000",
        ),
        (
            "base_url = \"http://127.0.0.1\"\nload = { smoke = { users = 2 } }",
            "duration_secs",
        ),
    ];
    for (body, expected) in cases {
        let err = load_err(&format!("[targets.t]\n{body}\n"));
        assert!(err.contains("target `t`"), "{body}: {err}");
        assert!(
            err.contains(expected),
            "{body}: expected `{expected}` in: {err}"
        );
    }
}

#[test]
fn production_safety_rules() {
    let base = "base_url = \"https://test2.wikipedia.org\"\nproduction = true\n";
    let err = load_err(&format!(
        "[targets.p]\n{base}maxlag = 5\nallow_load = true\n"
    ));
    assert!(err.contains("field `allow_load`"), "{err}");
    let err = load_err(&format!(
        "[targets.p]\n{base}maxlag = 5\nmax_concurrent_requests = 10\n"
    ));
    assert!(err.contains("field `max_concurrent_requests`"), "{err}");
    let err = load_err(&format!("[targets.p]\n{base}"));
    assert!(err.contains("field `maxlag`"), "{err}");
}

#[test]
fn extends_cycle_is_an_error() {
    let err = load_err("[targets.a]\nextends = \"b\"\n[targets.b]\nextends = \"a\"\n");
    assert!(err.contains("cycle"), "{err}");
}

#[test]
fn unreadable_file_is_named() {
    let err = Registry::load(&[PathBuf::from("/nonexistent/targets.toml")]).unwrap_err();
    assert!(matches!(err, SetupError::File(_)));
    assert!(
        err.to_string()
            .starts_with("/nonexistent/targets.toml: cannot read"),
        "{err}"
    );
}

#[test]
fn sandbox_prefix_placeholders() {
    let reg = Registry::load(&[repo_registry()]).unwrap();
    let t = reg.get("test2").unwrap();
    assert_eq!(
        t.write.prefix_for("r42", Some("Alice")).as_deref(),
        Some("User:Alice/Wikiharness/r42/")
    );
}

#[test]
fn credentials_come_from_env_then_file_and_never_print() {
    let src = CredentialSource::from_pairs(
        "# c\nWH_TEST_USER_X=Admin@app\nWH_TEST_PW_X=s3cret-passw0rd-xyz\n",
    );
    let account = Account {
        role: "bot".into(),
        kind: AccountKind::BotPassword,
        user_env: "WH_TEST_USER_X".into(),
        password_env: "WH_TEST_PW_X".into(),
    };
    let c = src.resolve(&account).unwrap();
    assert_eq!(c.user, "Admin@app");
    assert_eq!(c.wiki_user(), "Admin");
    assert!(!format!("{c:?}").contains("s3cret"));
    let missing = Account {
        password_env: "WH_TEST_UNSET_VAR_Q".into(),
        ..account
    };
    assert_eq!(
        src.resolve(&missing).unwrap_err(),
        ("password_env", "WH_TEST_UNSET_VAR_Q".into())
    );
}

#[test]
fn loopback_detection() {
    for (u, expected) in [
        ("http://127.0.0.1:8080", true),
        ("http://127.5.0.1", true),
        ("http://[::1]:80", true),
        ("http://localhost", true),
        ("https://test2.wikipedia.org", false),
        ("http://10.0.0.1", false),
    ] {
        assert_eq!(
            safety::is_loopback_url(&url::Url::parse(u).unwrap()),
            expected,
            "{u}"
        );
    }
}

#[test]
fn health_knobs_parse_and_bad_values_are_named() {
    let reg = Registry::load(&[repo_registry()]).unwrap();
    let local = reg.get("local").unwrap();
    assert!(
        local
            .error_logs
            .as_ref()
            .is_some_and(|l| l.readable() && l.budget == 0)
    );
    assert!(
        local
            .expect
            .mediawiki
            .as_ref()
            .is_some_and(|r| r.contains("1.39.17"))
    );
    let test2 = reg.get("test2").unwrap();
    assert!(test2.error_logs.as_ref().is_some_and(|l| !l.readable()));
    let err = load_err(
        "[targets.a]\nbase_url = \"http://127.0.0.1\"\nload = { contention_ratio = 0.5 }\n",
    );
    assert!(
        err.contains("field `load.contention_ratio`: 0.5 is not above 1"),
        "{err}"
    );
    let err = load_err(
        "[targets.a]\nbase_url = \"http://127.0.0.1\"\nexpect = { mediawiki = \"~1.39\" }\n",
    );
    assert!(err.contains("field `expect.mediawiki`"), "{err}");
}

#[test]
fn replicas_are_named_by_the_identity_group() {
    let registry = Registry::load(&[repo_registry()]).unwrap();
    let local = registry.get("local").unwrap().replicas.clone().unwrap();
    assert_eq!(local.count, crate::target::ReplicaCount::Exactly(2));
    assert_eq!(
        local.replica_of("mw-web-2.local.4711").as_deref(),
        Some("mw-web-2")
    );
    assert_eq!(local.replica_of("mw-legacy.local.1"), None);
    let test2 = registry.get("test2").unwrap().replicas.clone().unwrap();
    assert_eq!(test2.count, crate::target::ReplicaCount::AtLeast(2));
    assert_eq!(
        test2
            .replica_of("mw-web.eqiad.main-84b746899f-t5dd8")
            .as_deref(),
        Some("mw-web.eqiad.main-84b746899f-t5dd8"),
        "a pod is a replica"
    );
}
