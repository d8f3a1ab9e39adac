pub mod journalize;
pub mod period;
pub mod rules;
pub mod sink;
pub mod source;
