"""From tutorial to Gherkin to replay: generate features, replay them against the API or VCR
cassettes, report divergences at the doc's lines."""
