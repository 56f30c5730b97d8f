//! `zv profile` and `--profile`/`ZV_PROFILE`: the config file in a tempfile dir, keys in
//! keyring's mock store, never the machine's.

use serde_json::{Value, json};

mod common;
use common::*;

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
    assert_eq!(shown["grant_code"], "NewGrant");
    assert_eq!(shown["shop_code"], "S1");
    assert!(shown["open_key"] == "stored" || shown["open_key"] == "absent", "{shown}");
    ok(&run(at(), &["profile", "add", "dev", "--base-url", "http://127.0.0.1:9"]));
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
        (&json!("http://127.0.0.1:9"), &Value::Null, &json!("G"))
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
