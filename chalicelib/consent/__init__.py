"""Terms and consent: a clinic's versioned terms, and participants' immutable acceptances."""
