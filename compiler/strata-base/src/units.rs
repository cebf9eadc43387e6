//! The units Strata understands. The lexer recognises exactly these names after a number;
//! the checker uses the dimension and factor to compare and convert.

/// What a quantity measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dimension {
    /// Bytes.
    Size,
    /// Seconds.
    Duration,
    /// US dollars per month (a recurring cost); `USD/hour` and `USD/year` convert to it.
    MoneyRate,
    /// US dollars, once.
    Money,
}

impl Dimension {
    pub fn name(self) -> &'static str {
        match self {
            Dimension::Size => "Size",
            Dimension::Duration => "Duration",
            Dimension::MoneyRate => "Money/month",
            Dimension::Money => "Money",
        }
    }
    /// The unit values of this dimension are normalised to.
    pub fn base_unit(self) -> &'static str {
        match self {
            Dimension::Size => "B",
            Dimension::Duration => "s",
            Dimension::MoneyRate => "USD/month",
            Dimension::Money => "USD",
        }
    }
}

/// A unit: its spelling, dimension, and how many base units one of it is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Unit {
    pub name: &'static str,
    pub dimension: Dimension,
    pub factor: f64,
}

/// Hours in a month, as AWS and GCP price calculators use it.
pub const HOURS_PER_MONTH: f64 = 730.0;

pub const UNITS: &[Unit] = &[
    Unit {
        name: "B",
        dimension: Dimension::Size,
        factor: 1.0,
    },
    Unit {
        name: "KB",
        dimension: Dimension::Size,
        factor: 1e3,
    },
    Unit {
        name: "MB",
        dimension: Dimension::Size,
        factor: 1e6,
    },
    Unit {
        name: "GB",
        dimension: Dimension::Size,
        factor: 1e9,
    },
    Unit {
        name: "TB",
        dimension: Dimension::Size,
        factor: 1e12,
    },
    Unit {
        name: "KiB",
        dimension: Dimension::Size,
        factor: 1024.0,
    },
    Unit {
        name: "MiB",
        dimension: Dimension::Size,
        factor: 1048576.0,
    },
    Unit {
        name: "GiB",
        dimension: Dimension::Size,
        factor: 1073741824.0,
    },
    Unit {
        name: "TiB",
        dimension: Dimension::Size,
        factor: 1099511627776.0,
    },
    Unit {
        name: "ms",
        dimension: Dimension::Duration,
        factor: 0.001,
    },
    Unit {
        name: "s",
        dimension: Dimension::Duration,
        factor: 1.0,
    },
    Unit {
        name: "min",
        dimension: Dimension::Duration,
        factor: 60.0,
    },
    Unit {
        name: "h",
        dimension: Dimension::Duration,
        factor: 3600.0,
    },
    Unit {
        name: "d",
        dimension: Dimension::Duration,
        factor: 86400.0,
    },
    Unit {
        name: "w",
        dimension: Dimension::Duration,
        factor: 604800.0,
    },
    Unit {
        name: "USD/month",
        dimension: Dimension::MoneyRate,
        factor: 1.0,
    },
    Unit {
        name: "USD/hour",
        dimension: Dimension::MoneyRate,
        factor: HOURS_PER_MONTH,
    },
    Unit {
        name: "USD/year",
        dimension: Dimension::MoneyRate,
        factor: 1.0 / 12.0,
    },
    Unit {
        name: "USD",
        dimension: Dimension::Money,
        factor: 1.0,
    },
];

/// Look a unit up by its exact spelling (`GiB`, `d`, `USD/month`).
pub fn unit(name: &str) -> Option<&'static Unit> {
    UNITS.iter().find(|u| u.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn lookup() {
        assert_eq!(unit("GiB").map(|u| u.dimension), Some(Dimension::Size));
        assert_eq!(unit("USD/hour").map(|u| u.factor), Some(730.0));
        assert!(unit("parsecs").is_none());
    }
}
