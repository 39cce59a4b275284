//! The CI definition, the container image and the Kubernetes manifests under
//! `ci/`: validated offline against the Kubernetes schemas
//! (`kubernetes-validate`, installed with pip when missing) and checked for
//! the values that must agree with each other.

use std::path::{Path, PathBuf};
use std::process::Command;

use wikiharness_record::paths::repo_root;

fn k8s_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo_root().join("ci/k8s"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

/// `kubernetes-validate`, installed into the user's Python when missing.
fn validator() -> PathBuf {
    let found = |p: &Path| {
        Command::new(p)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let candidates = [
        PathBuf::from("kubernetes-validate"),
        dirs_user_bin().join("kubernetes-validate"),
    ];
    if let Some(c) = candidates.iter().find(|c| found(c)) {
        return c.clone();
    }
    let status = Command::new("python3")
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--user",
            "kubernetes-validate",
        ])
        .status()
        .expect("python3 runs");
    assert!(
        status.success(),
        "cannot install kubernetes-validate with pip"
    );
    candidates
        .into_iter()
        .find(|c| found(c))
        .expect("kubernetes-validate after pip install")
}

fn dirs_user_bin() -> PathBuf {
    let out = Command::new("python3")
        .args(["-m", "site", "--user-base"])
        .output()
        .expect("python3 runs");
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()).join("bin")
}

fn validate(files: &[PathBuf]) -> std::process::Output {
    Command::new(validator())
        .arg("--strict")
        .args(files)
        .output()
        .expect("kubernetes-validate runs")
}

#[test]
fn manifests_pass_strict_schema_validation() {
    let files = k8s_files();
    assert!(files.len() >= 5, "{files:?}");
    let out = validate(&files);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    for kind in [
        "cronjob/",
        "job/wikiharness-shards",
        "job/wikiharness-merge",
        "configmap/",
        "secret/",
        "pod/",
    ] {
        assert!(text.contains(kind), "no {kind} validated: {text}");
    }
}

#[test]
fn the_validator_rejects_an_unknown_field() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "apiVersion: batch/v1\nkind: Job\nmetadata: {name: x}\nspec:\n  completionz: 2\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: a, image: b}]\n").unwrap();
    assert!(
        !validate(&[bad]).status.success(),
        "strict validation must catch `completionz`"
    );
}

fn yaml(path: &str) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(repo_root().join(path)).unwrap();
    text.split("\n---\n")
        .map(|doc| yaml_serde::from_str(doc).unwrap())
        .collect()
}

#[test]
fn shard_job_runs_as_many_shards_as_it_declares() {
    let job = &yaml("ci/k8s/job-shards.yaml")[0];
    let spec = &job["spec"];
    assert_eq!(spec["completionMode"], "Indexed");
    let completions = spec["completions"].as_u64().unwrap();
    assert_eq!(spec["parallelism"].as_u64(), Some(completions));
    let container = &spec["template"]["spec"]["containers"][0];
    let shards = container["env"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "SHARDS")
        .unwrap()["value"]
        .as_str()
        .unwrap();
    assert_eq!(
        shards.parse::<u64>().unwrap(),
        completions,
        "SHARDS must equal completions"
    );
    let args = container["args"][0].as_str().unwrap();
    assert!(
        args.contains(r#"--shard "$((JOB_COMPLETION_INDEX + 1))/$SHARDS""#),
        "{args}"
    );
    let merge = &yaml("ci/k8s/job-merge.yaml")[0];
    let merge_args = merge["spec"]["template"]["spec"]["containers"][0]["args"][0]
        .as_str()
        .unwrap();
    assert!(
        merge_args.contains("/reports/$RUN_NAME/shard-*/latest"),
        "merge reads every shard: {merge_args}"
    );
}

#[test]
fn every_pod_is_non_root_bounded_and_uses_the_secret_and_configmap() {
    for file in k8s_files() {
        for doc in yaml(
            &file
                .strip_prefix(repo_root())
                .unwrap()
                .display()
                .to_string(),
        ) {
            let pod = match doc["kind"].as_str() {
                Some("Pod") => &doc["spec"],
                Some("Job") => &doc["spec"]["template"]["spec"],
                Some("CronJob") => &doc["spec"]["jobTemplate"]["spec"]["template"]["spec"],
                _ => continue,
            };
            let name = doc["metadata"]["name"].as_str().unwrap();
            assert_eq!(pod["securityContext"]["runAsNonRoot"], true, "{name}");
            for c in pod["containers"].as_array().unwrap() {
                assert_eq!(
                    c["securityContext"]["allowPrivilegeEscalation"], false,
                    "{name}"
                );
                assert!(
                    c["resources"]["limits"]["memory"].is_string()
                        && c["resources"]["requests"]["cpu"].is_string(),
                    "{name}: resources"
                );
            }
        }
    }
}

#[test]
fn gitlab_ci_publishes_reports_junit_and_history() {
    let ci = &yaml("ci/gitlab-ci.yml")[0];
    let smoke = &ci["smoke"];
    let lines: Vec<&str> = smoke["script"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    let script = lines.join("\n");
    assert!(
        script.contains("--target \"$WIKI_TARGET\"") && script.contains("gate"),
        "{script}"
    );
    let caches = serde_json::to_string(&smoke["cache"]).unwrap();
    assert!(
        caches.contains("history.jsonl"),
        "history kept between runs: {caches}"
    );

    // Run the script's shell steps (all but cargo) after a run of the harness's
    // shape: every artifact path must then exist without passing through a
    // symbolic link, which the GitLab runner does not follow.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("target/wikiharness");
    let run = root.join("20261126T000000Z-abcd");
    std::fs::create_dir_all(&run).unwrap();
    for f in ["results.json", "junit.xml", "index.html"] {
        std::fs::write(run.join(f), "x").unwrap();
    }
    std::fs::write(root.join("history.jsonl"), "{}").unwrap();
    std::os::unix::fs::symlink("20261126T000000Z-abcd", root.join("latest")).unwrap();
    for line in lines.iter().filter(|l| !l.starts_with("cargo ")) {
        let ok = std::process::Command::new("bash")
            .args(["-euc", line])
            .current_dir(dir.path())
            .env("REPORT_ROOT", &root)
            .status()
            .unwrap();
        assert!(ok.success(), "`{line}` failed");
    }
    let artifacts = &smoke["artifacts"];
    let mut paths: Vec<&str> = artifacts["paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    paths.push(artifacts["reports"]["junit"].as_str().unwrap());
    assert!(paths.iter().any(|p| p.ends_with("junit.xml")));
    for p in paths {
        let mut at = dir.path().to_path_buf();
        for part in std::path::Path::new(p).components() {
            at.push(part);
            let meta = std::fs::symlink_metadata(&at)
                .unwrap_or_else(|e| panic!("artifact path {p}: {}: {e}", at.display()));
            assert!(
                !meta.file_type().is_symlink(),
                "artifact path {p} passes through the symbolic link {}",
                at.display()
            );
        }
    }
}

#[test]
fn container_image_copies_files_that_exist() {
    let text = std::fs::read_to_string(repo_root().join("ci/Containerfile")).unwrap();
    for line in text
        .lines()
        .filter(|l| l.starts_with("COPY ") && !l.contains("--from"))
    {
        let src = line.split_whitespace().nth(1).unwrap();
        if src != "." {
            assert!(
                repo_root().join(src).exists(),
                "Containerfile copies missing {src}"
            );
        }
    }
    assert!(text.contains("chromium chromium-driver") && text.contains("USER 10001"));
}
