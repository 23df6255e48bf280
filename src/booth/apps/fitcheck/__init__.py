"""Fit Check: how well a candidate profile fits a company or a job description, streamed.

Eight phases (connecting → deep_research ⇄ research_reranker → content_enrich →
skeptical_comparison → skills_matching → confidence_reranker → generate_results) run on booth's
runtime, offline by default: a bundled company knowledge base, the user's notes and a skills
ontology. `service.start_fit_check` is the one entry point the HTTP router, the UI and the CLI
share.
"""
