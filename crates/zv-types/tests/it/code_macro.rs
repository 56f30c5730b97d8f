//! `code_enum!` from another crate: an endpoint declared outside `zv-types` gets the same
//! `Unknown(raw)` enums as the built-in ones.

use serde::{Deserialize, Serialize};
use serde_with::serde_as;
use zv_types::code::{Code, CodeEnum, CodeOrDefault, Wire};

zv_types::code_enum! {
    /// The state of a stored-value card (declared outside zv-types).
    #[derive(Default)]
    pub enum CardState: Str {
        /// Active.
        #[default]
        1 => Active = "正常",
        /// Frozen.
        2 => Frozen = "冻结",
    }
}

zv_types::code_enum! {
    /// A private enum with numbers on the wire.
    enum Level: Int {
        /// Gold.
        3 => Gold = "金卡",
    }
}

#[serde_as]
#[derive(Debug, Deserialize, Serialize)]
struct Card {
    #[serde_as(as = "Code")]
    #[serde(default)]
    state: Option<CardState>,
    #[serde_as(as = "CodeOrDefault")]
    #[serde(default)]
    state_or_default: CardState,
    #[serde_as(as = "Code")]
    #[serde(default)]
    level: Option<Level>,
}

#[test]
fn known_and_unknown_codes_decode() {
    let card: Card = serde_json::from_str(r#"{"state":"2","state_or_default":"","level":3}"#).unwrap();
    assert_eq!(card.state, Some(CardState::Frozen));
    assert_eq!(card.state_or_default, CardState::Active);
    assert_eq!(card.level, Some(Level::Gold));
    assert_eq!(serde_json::to_string(&card).unwrap(), r#"{"state":"2","state_or_default":"1","level":3}"#);

    let card: Card = serde_json::from_str(r#"{"state":"9","state_or_default":"x","level":"gold"}"#).unwrap();
    assert_eq!(card.state, Some(CardState::Unknown("9".into())));
    assert_eq!(card.state.as_ref().and_then(CardState::code), Some(9));
    assert_eq!(card.state_or_default, CardState::Unknown("x".into()));
    assert_eq!(card.level, Some(Level::Unknown("gold".into())));
    assert_eq!(card.level.as_ref().unwrap().code(), None);
    // Unknown codes round-trip as they came.
    assert_eq!(
        serde_json::to_string(&card).unwrap(),
        r#"{"state":"9","state_or_default":"x","level":"gold"}"#
    );
}

#[test]
fn labels_display_and_wire() {
    assert_eq!(CardState::Frozen.label(), "冻结");
    assert_eq!(CardState::Frozen.to_string(), "冻结");
    assert_eq!(CardState::Unknown("7".into()).to_string(), "未知(7)");
    // An unknown code from the network is rendered safely.
    assert_eq!(CardState::Unknown("\u{1b}[2J".into()).to_string(), "未知(\\u{1b}[2J)");
    assert_eq!(<CardState as CodeEnum>::WIRE, Wire::Str);
    assert_eq!(<Level as CodeEnum>::WIRE, Wire::Int);
    assert_eq!(<Level as CodeEnum>::from_code(3), Level::Gold);
}
