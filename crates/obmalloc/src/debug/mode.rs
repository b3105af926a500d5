//! `PYTHONMALLOC`: CPython's names for its allocator configurations.

use super::*;

/// The memory allocators selected by CPython's `PYTHONMALLOC` environment variable.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum MallocMode {
    /// `default`: pymalloc for `Mem` and `Obj`, malloc for `Raw`; no debug hooks (in a
    /// release build; CPython's debug builds default to `pymalloc_debug`).
    #[default]
    Default,
    /// `debug`: debug hooks over the default allocators.
    Debug,
    /// `pymalloc`: pymalloc for `Mem` and `Obj`, malloc for `Raw`.
    Pymalloc,
    /// `pymalloc_debug`: `pymalloc` with debug hooks.
    PymallocDebug,
    /// `malloc`: libc malloc for every domain.
    Malloc,
    /// `malloc_debug`: `malloc` with debug hooks.
    MallocDebug,
}

impl MallocMode {
    /// Every mode, in CPython's documentation order.
    pub const ALL: [MallocMode; 6] = [
        MallocMode::Default,
        MallocMode::Debug,
        MallocMode::Pymalloc,
        MallocMode::PymallocDebug,
        MallocMode::Malloc,
        MallocMode::MallocDebug,
    ];

    /// The environment variable read by [`from_env`](Self::from_env).
    pub const ENV_VAR: &'static str = "PYTHONMALLOC";

    /// The `PYTHONMALLOC` spelling of this mode, e.g. `pymalloc_debug`.
    pub const fn name(self) -> &'static str {
        match self {
            MallocMode::Default => "default",
            MallocMode::Debug => "debug",
            MallocMode::Pymalloc => "pymalloc",
            MallocMode::PymallocDebug => "pymalloc_debug",
            MallocMode::Malloc => "malloc",
            MallocMode::MallocDebug => "malloc_debug",
        }
    }

    /// True when the mode installs the debug hooks ([`DebugObmalloc`]).
    pub const fn debug_hooks(self) -> bool {
        matches!(
            self,
            MallocMode::Debug | MallocMode::PymallocDebug | MallocMode::MallocDebug
        )
    }

    /// True when `Mem` and `Obj` go to pymalloc ([`Obmalloc`]), false when they go to
    /// libc malloc.
    pub const fn uses_pymalloc(self) -> bool {
        !matches!(self, MallocMode::Malloc | MallocMode::MallocDebug)
    }

    /// Reads `PYTHONMALLOC`. Unset or empty means [`MallocMode::Default`] (CPython ignores
    /// empty environment variables).
    ///
    /// # Errors
    /// [`ParseMallocModeError`] naming the value when it is not one of CPython's names.
    pub fn from_env() -> Result<MallocMode, ParseMallocModeError> {
        MallocMode::from_env_value(std::env::var_os(Self::ENV_VAR).as_deref())
    }

    /// [`from_env`](Self::from_env) on a given value of the variable (`None` = unset).
    pub(super) fn from_env_value(
        value: Option<&OsStr>,
    ) -> Result<MallocMode, ParseMallocModeError> {
        match value {
            None => Ok(MallocMode::Default),
            Some(v) if v.is_empty() => Ok(MallocMode::Default),
            Some(v) => match v.to_str() {
                Some(s) => s.parse(),
                None => Err(ParseMallocModeError {
                    value: v.to_string_lossy().into_owned(),
                }),
            },
        }
    }
}

/// Prints the `PYTHONMALLOC` name.
impl fmt::Display for MallocMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Accepts exactly CPython's names (case-sensitive, no surrounding spaces).
impl FromStr for MallocMode {
    type Err = ParseMallocModeError;

    fn from_str(s: &str) -> Result<MallocMode, ParseMallocModeError> {
        MallocMode::ALL
            .into_iter()
            .find(|m| m.name() == s)
            .ok_or_else(|| ParseMallocModeError {
                value: s.to_owned(),
            })
    }
}

/// A `PYTHONMALLOC` value that is not one of CPython's allocator names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseMallocModeError {
    value: String,
}

impl ParseMallocModeError {
    /// The rejected value (lossily converted when it was not UTF-8).
    pub fn value(&self) -> &str {
        &self.value
    }
}

impl fmt::Display for ParseMallocModeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "PYTHONMALLOC: unknown allocator {:?}; expected one of ",
            self.value
        )?;
        for (i, m) in MallocMode::ALL.iter().enumerate() {
            let sep = if i == 0 { "" } else { ", " };
            write!(f, "{sep}{m}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ParseMallocModeError {}
