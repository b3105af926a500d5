//! pymem's object heap (work in progress).
