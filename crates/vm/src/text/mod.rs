//! Python's text conversions of numbers and strings.
