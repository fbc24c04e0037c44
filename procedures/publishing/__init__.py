"""The rules that span objects, and every side effect of a change. The admin, the API, the
content loader and the commands call these; models only hold data.

- content: save or delete anything editors write (the one way in)
- pages: saving and deleting a procedure page, and what follows a change to one
- review: recording a medical review, reminding reviewers
- addresses: which page an address shows to whom; former addresses (301) and removed pages (410)
- audit: the audit log of publishing actions
- revisions: comparing and restoring earlier versions
- rendering: Markdown to safe HTML on save, and re-rendering every page
- indexing, freshness: the search index and cached pages, brought up to date after commit
- side_effects: running work once, after the transaction commits
- patient_page: what a procedure page shows (the public page and the preview)
"""
