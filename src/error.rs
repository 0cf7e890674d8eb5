//! The library's error type. Every error is one line meant for the user: it names the file,
//! line, column or key and never holds a data value. Work refused by the memory budget keeps its
//! figures ([`OverBudget`]) so that a caller can tell it apart.

use std::fmt::Display;

pub use crate::budget::OverBudget;

/// Why a command did not finish.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Work was refused before it ran: its estimate passes the memory budget.
    #[error(transparent)]
    OverBudget(#[from] OverBudget),
    /// The input, the options or the plan are wrong, or an output cannot be written: one line
    /// for the user, naming the file, line, column or key and never a data value.
    #[error("{0}")]
    Invalid(String),
}

/// A result with the library's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// The error inside `context` ("source 'loyalty': ..."); a budget refusal keeps its own
    /// words, which already say what was refused.
    fn within(self, context: impl Display) -> Error {
        match self {
            Error::Invalid(message) => {
                let context = context.to_string();
                // Some errors already name what the context would add: say it once.
                if message.contains(&context) {
                    Error::Invalid(message)
                } else {
                    Error::Invalid(format!("{context}: {message}"))
                }
            }
            over => over,
        }
    }

    /// The error as one line (a message is never more than one).
    pub fn one_line(&self) -> String {
        self.to_string()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Polars' own words name its internals and may hold a hint on further lines: the first line
/// only. Reads map their errors to the user's terms first (`io::in_user_terms`).
impl From<polars::prelude::PolarsError> for Error {
    fn from(err: polars::prelude::PolarsError) -> Error {
        Error::Invalid(err.to_string().lines().next().unwrap_or("").to_string())
    }
}

impl From<std::io::Error> for Error {
    fn from(err: std::io::Error) -> Error {
        Error::Invalid(err.to_string())
    }
}

impl From<serde_json::Error> for Error {
    fn from(err: serde_json::Error) -> Error {
        Error::Invalid(err.to_string())
    }
}

/// Adds what was being done to an error, as in "source 'loyalty': FILE has no column 'zip'".
pub trait Context<T> {
    /// The error inside `context`.
    fn context<C: Display>(self, context: C) -> Result<T>;
    /// The error inside the context `f` gives, computed only on an error.
    fn with_context<C: Display, F: FnOnce() -> C>(self, f: F) -> Result<T>;
}

impl<T, E: Into<Error>> Context<T> for std::result::Result<T, E> {
    fn context<C: Display>(self, context: C) -> Result<T> {
        self.map_err(|e| e.into().within(context))
    }

    fn with_context<C: Display, F: FnOnce() -> C>(self, f: F) -> Result<T> {
        self.map_err(|e| e.into().within(f()))
    }
}

impl<T> Context<T> for Option<T> {
    fn context<C: Display>(self, context: C) -> Result<T> {
        self.ok_or_else(|| Error::Invalid(context.to_string()))
    }

    fn with_context<C: Display, F: FnOnce() -> C>(self, f: F) -> Result<T> {
        self.ok_or_else(|| Error::Invalid(f().to_string()))
    }
}

/// Returns an [`Error::Invalid`] with a formatted message.
#[macro_export]
#[doc(hidden)]
macro_rules! bail {
    ($($message:tt)*) => {
        return Err($crate::Error::Invalid(format!($($message)*)))
    };
}

/// An [`Error::Invalid`] with a formatted message.
#[macro_export]
#[doc(hidden)]
macro_rules! invalid {
    ($($message:tt)*) => {
        $crate::Error::Invalid(format!($($message)*))
    };
}
