//! `zv profile` and `--profile`/`ZV_PROFILE`: the config file in a tempfile dir, keys in
//! keyring's mock store, never the machine's.

use serde_json::{Value, json};

use crate::common::*;

const ID: &str = "0123456789abcdef0123456789abcdef";
const GRANT: &str = "GrAnT12345";

fn config_file(home: &std::path::Path) -> std::path::PathBuf {
    home.join("zv").join("config.toml")
}

#[test]
fn add_list_show_remove_never_show_the_key() {
    let home = tempfile::tempdir().unwrap();
    let at = || zv_at(home.path());
    let r = run(
        at(),
        &[
            "profile",
            "add",
            "prod",
            "--base-url",
            "https://openapi.qmai.cn",
            "--open-id",
            ID,
            "--grant-code",
            GRANT,
            "--shop-code",
            "S1",
        ],
    );
    assert!(ok(&r).contains("profile prod saved"), "{}", r.stdout);
    let file = config_file(home.path());
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("[profiles.prod]") && text.contains("S1"), "{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    }
    // the key from stdin goes to the credential store, never into the file or the output
    let mut c = at();
    c.write_stdin(format!("{SECRET}\n"));
    let r = run(c, &["profile", "add", "prod", "--open-key-stdin"]);
    assert!(ok(&r).contains("OS credential store"), "{}", r.stdout);
    assert!(!std::fs::read_to_string(&file).unwrap().contains(SECRET));
    // an update keeps what it does not give
    ok(&run(at(), &["profile", "add", "prod", "--grant-code", "NewGrant"]));
    let shown = json_out(&run(at(), &["--json", "profile", "show", "prod"]));
    assert_eq!(shown["base_url"], "https://openapi.qmai.cn");
    // the grantCode as every surface shows it; the file holds it
    assert_eq!(shown["grant_code"], "[redacted]");
    assert!(std::fs::read_to_string(&file).unwrap().contains("grant_code = \"NewGrant\""));
    assert_eq!(shown["shop_code"], "S1");
    assert!(shown["open_key"] == "stored" || shown["open_key"] == "absent", "{shown}");
    let keyless = run(at(), &["profile", "add", "dev", "--base-url", "http://127.0.0.1:9"]);
    ok(&keyless);
    assert!(
        keyless.stderr.contains("no openKey was saved with profile dev")
            && keyless.stderr.contains("ZV_OPEN_KEY"),
        "a profile without a key says so: {}",
        keyless.stderr
    );
    let list = json_out(&run(at(), &["profile", "list", "--format", "json"]));
    let names: Vec<&str> = list.as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["dev", "prod"]);
    let table = run(at(), &["profile", "list"]);
    assert!(ok(&table).contains("openapi.qmai.cn"), "{}", table.stdout);
    // values from the environment are not a profile's: only flags go into it
    let mut c = at();
    c.env("ZV_BASE_URL", "http://from-the-environment").env("ZV_OPEN_ID", "env-id");
    ok(&run(c, &["profile", "add", "dev", "--grant-code", "G"]));
    let dev = json_out(&run(at(), &["--json", "profile", "show", "dev"]));
    assert_eq!(
        (&dev["base_url"], &dev["open_id"], &dev["grant_code"]),
        (&json!("http://127.0.0.1:9"), &Value::Null, &json!("[redacted]"))
    );
    // remove
    assert!(ok(&run(at(), &["profile", "remove", "dev"])).contains("removed"));
    let line = fails(&run(at(), &["profile", "show", "dev"]), 2).to_owned();
    assert!(line.contains("unknown profile \"dev\"") && line.contains("prod"), "{line}");
    fails(&run(at(), &["profile", "remove", "dev"]), 2);
}

#[test]
fn the_key_is_never_written_to_a_file_and_bad_input_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let line = fails(&run(zv_at(home.path()), &["profile", "add", "p", "--open-key", SECRET]), 2).to_owned();
    assert!(line.contains("--open-key-stdin"), "{line}");
    let mut c = zv_at(home.path());
    c.write_stdin("\n");
    assert!(fails(&run(c, &["profile", "add", "p", "--open-key-stdin"]), 2).contains("empty"));
    assert!(fails(&run(zv_at(home.path()), &["profile", "add", "a b"]), 2).contains("not a profile name"));
    assert!(!config_file(home.path()).exists(), "nothing was written");
    // a broken config file is named
    std::fs::create_dir_all(home.path().join("zv")).unwrap();
    std::fs::write(config_file(home.path()), "[profiles.p]\nopen_key = \"x\"\n").unwrap();
    let line = fails(&run(zv_at(home.path()), &["profile", "list"]), 2).to_owned();
    assert!(line.contains("config.toml") && line.contains("not valid"), "{line}");
}

#[test]
fn flags_beat_the_environment_which_beats_the_profile() {
    let home = tempfile::tempdir().unwrap();
    let (mock, _) = mock_and_zv();
    let closed = ClosedPort::new();
    let dead = closed.url();
    let at = || {
        let mut c = zv_at(home.path());
        c.env("ZV_OPEN_KEY", SECRET);
        c
    };
    ok(&run(
        at(),
        &["profile", "add", "prod", "--base-url", mock.base_url(), "--open-id", ID, "--grant-code", GRANT],
    ));
    // the profile gives the base URL and the ids; the environment the key
    let redeemable =
        json_out(&run(at(), &["--profile", "prod", "--json", "exchange-code", "164822200532619796511"]));
    assert_eq!(redeemable["redeemable"], true);
    // ZV_PROFILE selects it too
    let mut c = at();
    c.env("ZV_PROFILE", "prod");
    ok(&run(c, &["exchange-code", "1"]));
    // the environment's base URL wins over the profile's, a flag over both
    let mut c = at();
    c.env("ZV_BASE_URL", &dead);
    assert!(
        fails(&run(c, &["--profile", "prod", "--retries", "0", "exchange-code", "1"]), 5)
            .contains("could not connect")
    );
    let mut c = at();
    c.env("ZV_BASE_URL", &dead);
    ok(&run(c, &["--profile", "prod", "--base-url", mock.base_url(), "exchange-code", "1"]));
    // a flag's openId wins over the profile's: the gateway refuses it
    fails(
        &run(
            at(),
            &["--profile", "prod", "--open-id", "ffffffffffffffffffffffffffffffff", "exchange-code", "1"],
        ),
        4,
    );
    // a profile called `default` is used when none is named
    ok(&run(
        at(),
        &["profile", "add", "default", "--base-url", mock.base_url(), "--open-id", ID, "--grant-code", GRANT],
    ));
    ok(&run(at(), &["exchange-code", "1"]));
    // without a key anywhere: the missing one is named
    let line = fails(&run(zv_at(home.path()), &["--profile", "prod", "exchange-code", "1"]), 2).to_owned();
    assert!(line.contains("ZV_OPEN_KEY") && !line.contains("ZV_OPEN_ID"), "{line}");
    // the fix completes the profile in use rather than adding one
    assert!(line.contains("save it in profile prod (`zv profile add prod`"), "{line}");
}

#[test]
fn an_unknown_profile_is_one_line_naming_it() {
    let home = tempfile::tempdir().unwrap();
    for args in [
        &["--profile", "nope", "exchange-code", "1"][..],
        &["--profile", "nope", "doctor"],
        &["--profile", "nope", "api", "x/y", "--dry-run"],
    ] {
        let line = fails(&run(zv_at(home.path()), args), 2).to_owned();
        assert!(line.contains("unknown profile \"nope\""), "{args:?}: {line}");
    }
    let mut c = zv_at(home.path());
    c.env("ZV_PROFILE", "nope");
    fails(&run(c, &["exchange-code", "1"]), 2);
}

#[test]
fn zv_api_fills_in_the_profiles_shop_code() {
    let home = tempfile::tempdir().unwrap();
    let (mock, _) = mock_and_zv();
    let at = || {
        let mut c = zv_at(home.path());
        c.env("ZV_OPEN_KEY", SECRET);
        c
    };
    let add = [
        "profile",
        "add",
        "shop",
        "--base-url",
        mock.base_url(),
        "--open-id",
        ID,
        "--grant-code",
        GRANT,
        "--shop-code",
        "S9",
    ];
    ok(&run(at(), &add));
    let queue = "queuing/queueNo/queryShopQueueNoList";
    let shown = json_out(&run(at(), &["--profile", "shop", "api", queue, "page:=1", "--dry-run"]));
    assert_eq!(shown["body"]["params"], json!({"page": 1, "shopCode": "S9"}));
    let shown = json_out(&run(at(), &["--profile", "shop", "api", queue, "shopCode=S1", "--dry-run"]));
    assert_eq!(shown["body"]["params"], json!({"shopCode": "S1"}));
    // an endpoint that takes no shopCode gets none
    let shown: Value = json_out(&run(
        at(),
        &["--profile", "shop", "api", "crm/giftCard/getCustomerGiftCardList", "user_id=1", "--dry-run"],
    ));
    assert_eq!(shown["body"]["params"], json!({"user_id": "1"}));
}

#[test]
fn a_password_saved_in_a_base_url_by_hand_is_never_shown() {
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join("zv")).unwrap();
    let text =
        "[profiles.old]\nbase_url = \"https://user:hunter2@gw.example/?token=t0k3n\"\nopen_id = \"x\"\n";
    std::fs::write(config_file(home.path()), text).unwrap();
    for args in [&["profile", "show", "old"][..], &["profile", "list"], &["--json", "profile", "show", "old"]]
    {
        let r = run(zv_at(home.path()), args);
        let shown = format!("{}{}", r.stdout, r.stderr);
        assert!(!shown.contains("hunter2") && !shown.contains("t0k3n"), "{args:?}: {shown}");
        assert!(shown.contains("unusable"), "{args:?}: {shown}");
    }
}

/// `zv` with keyring's in-memory store replaced by one that is never there (a headless
/// server without a Secret Service).
fn headless(home: &std::path::Path) -> assert_cmd::Command {
    let mut c = zv_at(home);
    c.env("ZV_KEYRING", "none");
    c
}

#[test]
fn without_a_credential_store_a_key_needs_insecure_storage_and_nothing_is_saved() {
    let home = tempfile::tempdir().unwrap();
    let mut c = headless(home.path());
    c.write_stdin(format!("{SECRET}\n"));
    let r = run(c, &["profile", "add", "box", "--open-id", ID, "--open-key-stdin"]);
    let line = fails(&r, 2);
    assert!(
        line.contains("no OS credential store")
            && line.contains("--insecure-storage")
            && line.contains("ZV_OPEN_KEY"),
        "{line}"
    );
    assert!(line.contains("nothing was saved"), "{line}");
    assert!(!config_file(home.path()).exists(), "nothing was saved");
    // --insecure-storage is only for a key
    fails(&run(headless(home.path()), &["profile", "add", "box", "--insecure-storage"]), 2);
}

/// A config home with profile `box` for a new mock, its key (`SECRET`) kept with
/// `--insecure-storage`; and the run of `zv profile add`.
fn add_insecure_box() -> (tempfile::TempDir, zv_mock::MockServer, Run) {
    let home = tempfile::tempdir().unwrap();
    let (mock, _) = mock_and_zv();
    let mut c = headless(home.path());
    c.write_stdin(format!("{SECRET}\n"));
    let add =
        ["profile", "add", "box", "--base-url", mock.base_url(), "--open-id", ID, "--grant-code", GRANT];
    let r = run(c, &[&add[..], &["--open-key-stdin", "--insecure-storage"]].concat());
    (home, mock, r)
}

#[test]
fn insecure_storage_keeps_the_key_in_the_private_file_says_so_and_signs_with_it() {
    let (home, _mock, r) = add_insecure_box();
    assert!(ok(&r).contains("in plain text"), "{}", r.stdout);
    // never silently: a warning on stderr names the file
    assert!(
        r.stderr.starts_with("warning: the openKey of profile box is kept in plain text in "),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("config.toml"), "{}", r.stderr);
    let file = config_file(home.path());
    assert!(std::fs::read_to_string(&file).unwrap().contains(&format!("insecure_open_key = \"{SECRET}\"")));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    }
    // another process signs with it, and shows it only as where it is
    let redeemable =
        json_out(&run(headless(home.path()), &["--profile", "box", "--json", "exchange-code", "1"]));
    assert_eq!(redeemable["code"], "1");
    let shown = json_out(&run(headless(home.path()), &["--json", "profile", "show", "box"]));
    assert_eq!(shown["open_key"], "in plain text in the config file");
    let r = run(headless(home.path()), &["--profile", "box", "doctor", "--json"]);
    assert!(r.stdout.contains("in plain text in the config file"), "{}", r.stdout);
    // an update that does not give the key keeps it; remove takes it with the profile
    ok(&run(headless(home.path()), &["profile", "add", "box", "--shop-code", "S1"]));
    assert!(std::fs::read_to_string(&file).unwrap().contains("insecure_open_key"));
    ok(&run(headless(home.path()), &["profile", "remove", "box"]));
    assert!(!std::fs::read_to_string(&file).unwrap().contains(SECRET));
}

#[cfg(unix)]
#[test]
fn a_plain_text_key_in_a_config_file_others_can_read_is_refused_until_chmod_600() {
    use std::os::unix::fs::PermissionsExt;
    let (home, mock, r) = add_insecure_box();
    ok(&r);
    let file = config_file(home.path());
    let call = ["--profile", "box", "--json", "exchange-code", "1"];
    for mode in [0o644, 0o640, 0o604, 0o660, 0o620] {
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).unwrap();
        mock.clear_log();
        let line = fails(&run(headless(home.path()), &call), 2).to_owned();
        assert!(
            line.contains(&file.display().to_string())
                && line.contains(&format!("mode {mode:04o}"))
                && line.contains(&format!("chmod 600 {}", file.display())),
            "{line}"
        );
        assert!(!line.contains(SECRET), "{line}");
        assert!(mock.log().is_empty(), "nothing sent with mode {mode:o}");
    }
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert_eq!(json_out(&run(headless(home.path()), &call))["code"], "1");
    // without a plain-text key, a file others can read is used as before
    ok(&run(headless(home.path()), &["profile", "remove", "box"]));
    ok(&run(headless(home.path()), &["profile", "add", "plain", "--open-id", ID]));
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    ok(&run(headless(home.path()), &["profile", "show", "plain"]));
}

#[test]
fn open_key_stdin_reads_one_bounded_line() {
    let home = tempfile::tempdir().unwrap();
    // 8 MiB without a line break: refused after 1 KiB, not read whole
    let mut c = zv_at(home.path());
    c.write_stdin(vec![b'k'; 8 << 20]);
    let line = fails(&run(c, &["profile", "add", "p", "--open-key-stdin"]), 2).to_owned();
    assert!(line.contains("more than 1024 bytes"), "{line}");
    let mut c = zv_at(home.path());
    c.write_stdin(vec![0xff, b'\n']);
    assert!(fails(&run(c, &["profile", "add", "p", "--open-key-stdin"]), 2).contains("not UTF-8"));
    assert!(!config_file(home.path()).exists(), "nothing was saved");
    // a key of the limit's length, with a CRLF, is taken
    let mut c = zv_at(home.path());
    c.write_stdin(format!("{}\r\n", "k".repeat(1024)));
    ok(&run(c, &["profile", "add", "p", "--open-key-stdin"]));
}

#[test]
fn concurrent_adds_never_lose_a_profile() {
    let home = tempfile::tempdir().unwrap();
    let names: Vec<String> = (0..24).map(|i| format!("p{i}")).collect();
    let mut children: Vec<std::process::Child> = names
        .iter()
        .map(|name| {
            let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("zv"));
            c.env_clear()
                .env("XDG_CONFIG_HOME", home.path())
                .env("HOME", home.path())
                .env("ZV_KEYRING", "mock")
                .args(["profile", "add", name, "--shop-code", name])
                .stdout(std::process::Stdio::null());
            c.spawn().unwrap()
        })
        .collect();
    for child in &mut children {
        assert!(child.wait().unwrap().success());
    }
    let list = json_out(&run(zv_at(home.path()), &["--json", "profile", "list"]));
    let mut got: Vec<&str> = list.as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    got.sort_unstable();
    let mut want: Vec<&str> = names.iter().map(String::as_str).collect();
    want.sort_unstable();
    assert_eq!(got, want);
    // only the file and its lock: no temporary file left behind
    let mut left: Vec<String> = std::fs::read_dir(home.path().join("zv"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    left.sort_unstable();
    assert_eq!(left, ["config.toml", "config.toml.lock"]);
}

#[test]
fn an_unnamed_profile_gives_nothing_to_a_call_whose_account_comes_from_the_environment() {
    let home = tempfile::tempdir().unwrap();
    let (mock, cmd) = mock_and_zv();
    // a `default` profile for another account, at a dead gateway, with a shop code
    let dead = format!(
        "http://127.0.0.1:{}",
        std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
    );
    ok(&run(
        zv_at(home.path()),
        &[
            "profile",
            "add",
            "default",
            "--base-url",
            &dead,
            "--open-id",
            "ffffffffffffffffffffffffffffffff",
            "--shop-code",
            "S9",
        ],
    ));
    let at = || {
        let mut c = cmd();
        c.env("XDG_CONFIG_HOME", home.path()).env("HOME", home.path());
        c
    };
    let queue = "queuing/queueNo/queryShopQueueNoList";
    // the environment names the account: the profile gives nothing, not even its shop code
    let shown = json_out(&run(at(), &["api", queue, "page:=1", "--dry-run"]));
    assert_eq!(shown["body"]["params"], json!({"page": 1}));
    assert!(shown["url"].as_str().unwrap().starts_with(mock.base_url()), "{shown}");
    ok(&run(at(), &["exchange-code", "1"]));
    let r = run(at(), &["doctor", "--json"]);
    assert!(!r.stdout.contains("profile default"), "{}", r.stdout);
    // only the grantCode from a flag: the same
    let mut c = zv_at(home.path());
    c.env("ZV_OPEN_KEY", SECRET);
    let r = run(c, &["--grant-code", GRANT, "--base-url", mock.base_url(), "api", queue, "--dry-run"]);
    assert!(fails(&r, 2).contains("ZV_OPEN_ID"), "the profile's openId is not used: {}", r.stderr);
    // named, it applies
    let shown = json_out(&run(at(), &["--profile", "default", "api", queue, "page:=1", "--dry-run"]));
    assert_eq!(shown["body"]["params"], json!({"page": 1, "shopCode": "S9"}));
    let mut c = at();
    c.env("ZV_PROFILE", "default");
    let shown = json_out(&run(c, &["api", queue, "page:=1", "--dry-run"]));
    assert_eq!(shown["body"]["params"]["shopCode"], "S9");
}

#[test]
fn a_failed_add_says_so_in_one_line() {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join("blocked"), "").unwrap();
    // the command line says the same in one line
    let mut c = zv_at(home.path());
    c.env("XDG_CONFIG_HOME", home.path().join("blocked"));
    c.write_stdin(format!("{SECRET}\n"));
    let r = run(c, &["profile", "add", "p", "--open-key-stdin"]);
    let line = fails(&r, r.code).to_owned();
    assert_ne!(r.code, 0);
    assert!(line.contains("profile p was not saved") && line.contains("taken back out"), "{line}");
}

#[test]
fn the_grant_code_reads_the_same_on_every_surface() {
    // One rule, zv_api::redact_grant_code: errors, logs, doctor, profile show, --dry-run.
    let rule = |text: &str| zv_api::redact_grant_code(text, GRANT).into_owned();
    let gateway = Scripted::start();
    let message = format!("grantCode {GRANT} is not allowed");
    gateway.answer(&format!(r#"{{"status":false,"code":40003,"message":"{message}"}}"#));
    // the error line, and the -vv log line of the failed call
    let r = run(gateway.zv(), &["-vv", "--retries", "0", "exchange-code", "1"]);
    assert_ne!(r.code, 0);
    let lines: Vec<&str> = r.stderr.lines().filter(|l| l.contains(&rule(&message))).collect();
    assert!(lines.iter().any(|l| l.starts_with("error: ")), "{}", r.stderr);
    assert!(lines.iter().any(|l| !l.starts_with("error: ")), "a log line too: {}", r.stderr);
    // doctor
    gateway.answer(r#"{"status":true,"code":0,"message":"ok","data":{"status":"false"}}"#);
    let r = run(gateway.zv(), &["doctor", "--json"]);
    let checks: Value = serde_json::from_str(&r.stdout).unwrap();
    let grant = checks.as_array().unwrap().iter().find(|c| c["check"] == "grantCode").unwrap();
    assert_eq!(grant["detail"], format!("{} (environment ZV_GRANT_CODE)", rule(GRANT)));
    // --dry-run
    let r = run(gateway.zv(), &["api", "crm/giftCard/getCustomerGiftCardList", "user_id=1", "--dry-run"]);
    assert_eq!(json_out(&r)["body"]["grantCode"], rule(GRANT).as_str());
    // profile show and list
    let home = tempfile::tempdir().unwrap();
    ok(&run(zv_at(home.path()), &["profile", "add", "p", "--grant-code", GRANT]));
    assert_eq!(
        json_out(&run(zv_at(home.path()), &["--json", "profile", "show", "p"]))["grant_code"],
        rule(GRANT).as_str()
    );
    assert_eq!(
        json_out(&run(zv_at(home.path()), &["--json", "profile", "list"]))[0]["grant_code"],
        rule(GRANT).as_str()
    );
    // and nowhere the grantCode itself
    for args in [&["profile", "show", "p"][..], &["profile", "list"]] {
        let r = run(zv_at(home.path()), args);
        assert!(!r.stdout.contains(GRANT) && !r.stderr.contains(GRANT), "{args:?}: {}", r.stdout);
    }
}
