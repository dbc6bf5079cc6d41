//! "Did you mean": the known name closest to a mistyped one, measured as clap
//! measures it (`strsim::jaro`, a likeness above 0.7), so that `run room` points
//! to `rooms` and a lesson field `actr` to `actor`.

/// The candidate most like `given`, if one is alike enough.
pub fn closest<'a>(given: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro(given, c), c))
        .filter(|(likeness, c)| *likeness > 0.7 && *c != given)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// `; did you mean `NAME`?` for the closest candidate, or nothing.
pub fn did_you_mean<'a>(given: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    closest(given, candidates)
        .map(|name| format!("; did you mean `{name}`?"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_near_name_is_suggested_and_a_far_one_is_not() {
        let lessons = ["chat", "emit", "rooms", "namespaces", "cheatsheet"];
        assert_eq!(closest("room", lessons), Some("rooms"));
        assert_eq!(closest("namespace", lessons), Some("namespaces"));
        assert_eq!(closest("chta", lessons), Some("chat"));
        assert_eq!(closest("xyzzy", lessons), None);
        let fields = ["title", "op", "actor", "actors", "event"];
        assert_eq!(closest("actr", fields), Some("actor"));
        assert_eq!(did_you_mean("room", lessons), "; did you mean `rooms`?");
        assert_eq!(did_you_mean("zzz", lessons), "");
    }
}
