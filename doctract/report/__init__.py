"""Reports of a replay run: the JSON results file, JUnit XML, and the HTML report."""
