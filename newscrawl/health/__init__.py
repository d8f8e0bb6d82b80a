"""The health report: recent runs per site in the terminal and as one offline HTML file."""
