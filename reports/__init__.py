"""Reports: the weekly bulletin (周通报) in Markdown, HTML, DOCX and XLSX.

``reports.weekly`` builds a ``WeeklyBulletin`` (pure; the internal draft or the edition to
publish) from rows ``reports.queries`` fetches and writes it with one renderer module per
format; ``reports.lifecycle`` drafts it, approves and publishes it.
"""
