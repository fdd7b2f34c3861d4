"""Input and output: loading city data (formats, limits), registers (CSV, spreadsheets), atomic writes."""
