//! SDS types and streams as SDS's clients read them: PascalCase names,
//! type codes and modes by number (as SDS answers; AVEVA's OCS-era Python
//! library reads nothing else), times as RFC 3339 UTC with milliseconds. Access
//! control lists and metadata stay with their domain types, because JSON
//! Patch requests change exactly that document.

use crate::domain::sds::read_modes::ReadModes;
use crate::domain::sds::sds_type::SdsType;
use crate::domain::sds::stream::SdsStream;
use crate::web::api::time;
use serde_json::{json, Value};

pub fn sds_type(t: &SdsType) -> Value {
    let mut shown = json!({
        "Id": t.id,
        "Name": t.name,
        "Description": t.description,
        "SdsTypeCode": t.code,
        "Properties": t.numbered_properties(),
        "IsGenericType": false,
        "IsReferenceType": false,
        "CreatedDate": time(&t.created),
        "ModifiedDate": time(&t.modified),
    });
    with_modes(&mut shown, &t.modes);
    shown
}

pub fn stream(s: &SdsStream) -> Value {
    let mut shown = json!({
        "Id": s.id,
        "Name": s.name,
        "Description": s.description,
        "TypeId": s.type_id,
        "Indexes": stored_json(&s.indexes),
        "CreatedDate": time(&s.created),
        "ModifiedDate": time(&s.modified),
    });
    with_modes(&mut shown, &s.modes);
    shown
}

/// The read settings that are set, modes by number.
fn with_modes(shown: &mut Value, modes: &ReadModes) {
    if let Value::Object(object) = shown {
        modes.write_into(object);
    }
}

/// A list kept as the JSON text it was sent as (validated then).
fn stored_json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Array(Vec::new()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    #[test]
    fn a_type_shows_its_codes_by_number() {
        let body = json!({"Id": "Wave", "SdsTypeCode": "Object", "Properties": [
            {"Id": "Order", "IsKey": true, "SdsType": {"SdsTypeCode": "Int32"}}
        ]});
        let t = SdsType::parse("wave", &body, Utc::now()).unwrap();
        let shown = sds_type(&t);
        assert_eq!(shown["SdsTypeCode"], 1);
        assert_eq!(shown["Properties"][0]["Id"], "Order");
        assert_eq!(shown["Properties"][0]["SdsType"]["SdsTypeCode"], 9);
        assert!(shown["CreatedDate"].as_str().unwrap().ends_with('Z'));
    }
}
