"""Reports: the weekly bulletin (周通报) in Markdown, HTML, DOCX and XLSX.

``reports.weekly`` builds a ``WeeklyBulletin`` (pure) from rows ``reports.queries`` fetches,
writes it with one renderer module per format and records its publication.
"""
