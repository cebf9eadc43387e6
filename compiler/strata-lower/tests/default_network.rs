//! A resource that needs a network and names none goes into its stack's one declared
//! `portable.Network`; with none, into a default network created with the stack; with several,
//! the program must say which (L0013).

mod common;

use strata_model::Value;

fn network_of(model: &strata_model::Model, name: &str) -> Option<String> {
    let r = model
        .resources
        .iter()
        .find(|r| r.name == name && r.lowered_from.is_none())?;
    match r.props.get("network")? {
        Value::Ref(x) => Some(model.resource(x.resource).name.clone()),
        _ => None,
    }
}

#[test]
fn the_stacks_one_network_is_the_default() {
    let a = common::analyse(
        r#"
import portable.{Network, Postgres, Cache, Service}
stack shop { provider = aws { region = "eu-west-1" } }
resource net: Network {}
resource db: Postgres {}
resource sessions: Cache {}
resource api: Service { image = "nginx:1.27", port = 8080, env = { DB = db.host } }
"#,
        None,
    );
    assert!(a
        .diags
        .iter()
        .all(|d| d.severity != strata_base::Severity::Error));
    let (model, diags) = strata_lower::lower_portable(a.model, &a.schemas);
    assert!(diags.is_empty(), "{diags:?}");
    for name in ["db", "sessions", "api"] {
        assert_eq!(network_of(&model, name).as_deref(), Some("net"), "{name}");
    }
    assert!(
        !model
            .resources
            .iter()
            .any(|r| r.name.starts_with("default_network")),
        "a second network was created"
    );
}

#[test]
fn a_stack_without_a_network_gets_one_default() {
    let a = common::analyse(
        r#"
import portable.{Postgres, Cache}
stack shop { provider = aws { region = "eu-west-1" } }
resource db: Postgres {}
resource sessions: Cache {}
"#,
        None,
    );
    let (model, diags) = strata_lower::lower_portable(a.model, &a.schemas);
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(network_of(&model, "db").as_deref(), Some("default_network"));
    assert_eq!(
        network_of(&model, "sessions").as_deref(),
        Some("default_network")
    );
}

#[test]
fn two_networks_in_a_stack_need_a_choice() {
    let a = common::analyse(
        r#"
import portable.{Network, Postgres, Cache}
stack a { provider = aws { region = "eu-west-1" } }
stack b { provider = aws { region = "us-east-1" } }
resource blue: Network { stack = a }
resource green: Network { stack = a }
resource other: Network { stack = b }
resource db: Postgres { stack = a }
resource chosen: Cache { stack = a, network = green }
resource elsewhere: Postgres { stack = b }
"#,
        None,
    );
    let (model, diags) = strata_lower::lower_portable(a.model, &a.schemas);
    let ambiguous: Vec<_> = diags.iter().filter(|d| d.code == "L0013").collect();
    assert_eq!(ambiguous.len(), 1, "{diags:?}");
    let d = ambiguous[0];
    assert!(
        d.message.contains("`db`") && d.message.contains("`blue`, `green`"),
        "{}",
        d.message
    );
    assert_eq!(d.secondary.len(), 2);
    assert_eq!(d.help.as_deref(), Some("say which: `network = blue`"));
    assert_eq!(network_of(&model, "chosen").as_deref(), Some("green"));
    // Another stack's one network is its own default, not a third choice for `a`.
    assert_eq!(network_of(&model, "elsewhere").as_deref(), Some("other"));
}
