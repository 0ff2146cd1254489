"""One module per report section: each turns an analysis result into a `Section`."""
