//! Joins of several streams' windows (`Bulk/Streams/Data/Joins`), as SDS
//! defines them: the union of the streams' indexes in index order, one row
//! per index.
//!
//! - `Inner`: the indexes every stream has a value at; a row holds each
//!   stream's value.
//! - `Outer`: every index; a row holds each stream's value or null.
//! - `MergeLeft` / `MergeRight`: every index; its one value is the first
//!   stream's that has one, reading the list from the left (right).
//! - `Interpolated`: every index, each stream's missing values
//!   interpolated or extrapolated (`app::sds::data::interpolated` fills the
//!   columns; the rows are then Outer's).
//!
//! Values are the stored JSON text, copied into the answer as they are.

/// A join mode, by name (any case) or by SDS's number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JoinMode {
    Inner,
    Outer,
    Interpolated,
    MergeLeft,
    MergeRight,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("must be Inner, Outer, Interpolated, MergeLeft or MergeRight (or 0 to 4)")]
pub struct UnknownJoinMode;

impl JoinMode {
    pub fn parse(text: &str) -> Result<Self, UnknownJoinMode> {
        Ok(match text.trim().to_ascii_lowercase().as_str() {
            "0" | "inner" => JoinMode::Inner,
            "1" | "outer" => JoinMode::Outer,
            "2" | "interpolated" => JoinMode::Interpolated,
            "3" | "mergeleft" => JoinMode::MergeLeft,
            "4" | "mergeright" => JoinMode::MergeRight,
            _ => return Err(UnknownJoinMode),
        })
    }

    /// Whether a row is one value (merges) rather than one per stream.
    pub fn merges(self) -> bool {
        matches!(self, JoinMode::MergeLeft | JoinMode::MergeRight)
    }
}

/// One stream's values of the window, in index order: (key, stored JSON).
pub type Column = Vec<(Vec<u8>, Vec<u8>)>;

/// One index of the join: per stream, where its value is in its column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row<'a> {
    pub key: &'a [u8],
    pub cells: Vec<Option<usize>>,
}

/// The rows of `mode` over the columns' indexes that lie before `horizon`
/// (past it some column was not read to the end), in index order.
pub fn rows<'a>(mode: JoinMode, columns: &'a [Column], horizon: Option<&[u8]>) -> Vec<Row<'a>> {
    let mut at = vec![0usize; columns.len()];
    let mut out = Vec::new();
    loop {
        // The smallest index not yet joined, over every column.
        let next = columns
            .iter()
            .zip(&at)
            .filter_map(|(c, &i)| c.get(i).map(|(k, _)| k.as_slice()))
            .min();
        let Some(key) = next.filter(|k| horizon.is_none_or(|h| *k < h)) else {
            return out;
        };
        let cells: Vec<Option<usize>> = columns
            .iter()
            .zip(at.iter_mut())
            .map(|(c, i)| match c.get(*i) {
                Some((k, _)) if k.as_slice() == key => {
                    *i += 1;
                    Some(*i - 1)
                }
                _ => None,
            })
            .collect();
        if mode != JoinMode::Inner || cells.iter().all(Option::is_some) {
            out.push(Row { key, cells });
        }
    }
}

/// The JSON text of `rows`, and how many values of each stream it holds.
pub fn write(mode: JoinMode, columns: &[Column], rows: &[Row]) -> (Vec<u8>, Vec<u64>) {
    let mut used = vec![0u64; columns.len()];
    let mut out = b"[".to_vec();
    for (n, row) in rows.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        if mode.merges() {
            let mut cells = row.cells.iter().enumerate().filter(|(_, c)| c.is_some());
            let chosen = match mode {
                JoinMode::MergeRight => cells.next_back(),
                _ => cells.next(),
            };
            if let Some((s, Some(i))) = chosen {
                out.extend_from_slice(&columns[s][*i].1);
                used[s] += 1;
            }
            continue;
        }
        out.push(b'[');
        for (s, cell) in row.cells.iter().enumerate() {
            if s > 0 {
                out.push(b',');
            }
            match cell {
                Some(i) => {
                    out.extend_from_slice(&columns[s][*i].1);
                    used[s] += 1;
                }
                None => out.extend_from_slice(b"null"),
            }
        }
        out.push(b']');
    }
    out.push(b']');
    (out, used)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    /// SDS's own example: Simple1 at hours 11, 13, 14, 16 and Simple2 at
    /// 12, 14, 15, 17.
    fn columns() -> Vec<Column> {
        let column = |points: &[(u8, u32)]| {
            points
                .iter()
                .map(|(h, m)| {
                    (
                        vec![*h],
                        format!(r#"{{"Hour":{h},"Measurement":{m}}}"#).into_bytes(),
                    )
                })
                .collect()
        };
        vec![
            column(&[(11, 10), (13, 20), (14, 30), (16, 40)]),
            column(&[(12, 50), (14, 60), (15, 70), (17, 80)]),
        ]
    }

    fn joined(mode: JoinMode, horizon: Option<&[u8]>) -> (Value, Vec<u64>) {
        let columns = columns();
        let rows = rows(mode, &columns, horizon);
        let (json, used) = write(mode, &columns, &rows);
        (serde_json::from_slice(&json).unwrap(), used)
    }

    fn v(hour: u8, m: u32) -> Value {
        json!({"Hour": hour, "Measurement": m})
    }

    #[test]
    fn modes_by_name_or_number() {
        assert_eq!(JoinMode::parse("outer"), Ok(JoinMode::Outer));
        assert_eq!(JoinMode::parse("MergeRight"), Ok(JoinMode::MergeRight));
        assert_eq!(JoinMode::parse("0"), Ok(JoinMode::Inner));
        assert_eq!(JoinMode::parse("2"), Ok(JoinMode::Interpolated));
        assert_eq!(JoinMode::parse("5"), Err(UnknownJoinMode));
        assert_eq!(JoinMode::parse("left"), Err(UnknownJoinMode));
    }

    #[test]
    fn inner_keeps_the_common_indexes() {
        let (got, used) = joined(JoinMode::Inner, None);
        assert_eq!(got, json!([[v(14, 30), v(14, 60)]]));
        assert_eq!(used, vec![1, 1]);
    }

    #[test]
    fn outer_keeps_every_index_with_nulls() {
        let (got, used) = joined(JoinMode::Outer, None);
        assert_eq!(
            got,
            json!([
                [v(11, 10), null],
                [null, v(12, 50)],
                [v(13, 20), null],
                [v(14, 30), v(14, 60)],
                [null, v(15, 70)],
                [v(16, 40), null],
                [null, v(17, 80)]
            ])
        );
        assert_eq!(used, vec![4, 4]);
    }

    #[test]
    fn merges_pick_one_value_per_index() {
        let (left, used) = joined(JoinMode::MergeLeft, None);
        assert_eq!(
            left,
            json!([
                v(11, 10),
                v(12, 50),
                v(13, 20),
                v(14, 30),
                v(15, 70),
                v(16, 40),
                v(17, 80)
            ])
        );
        assert_eq!(used, vec![4, 3]);
        let (right, used) = joined(JoinMode::MergeRight, None);
        assert_eq!(right.as_array().unwrap()[3], v(14, 60));
        assert_eq!(used, vec![3, 4]);
    }

    #[test]
    fn nothing_at_or_past_the_horizon_is_joined() {
        let (got, _) = joined(JoinMode::Outer, Some(&[14]));
        assert_eq!(
            got,
            json!([[v(11, 10), null], [null, v(12, 50)], [v(13, 20), null]])
        );
        let none: Vec<Column> = vec![vec![], vec![]];
        assert!(rows(JoinMode::Outer, &none, None).is_empty());
    }
}
