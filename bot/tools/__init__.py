"""Case tools: pure functions from a session's answers to figures, findings, plans and documents.

Every function takes the answers dict (never mutated) and, where it produces words, a
`text(key, **params)` callable bound to the user's language; nothing here does I/O except
`plan.default_directory()`, the channel directory's (bot/tools/channel_directory.py) planned channels.

- case: who the user is (`role`) and the case's lenders (`lenders`, `lender_views`: the shared
  answers with one lender's own slots on top), `split_names` for a sentence naming several apps
- calculator: `compute(LoanTerms, kind) -> LoanFigures` (instalments, or one repayment after
  `days`), `figures_from_answers`, `render_figures`
- affordability: `assess(income, essentials, other_debts, debt) -> Budget`, `budget_from_answers`,
  `render_budget`
- violations: `assess(answers) -> Assessment(likely, allowed)`, `render_assessment`, `citation`
- plan: `channel_ids(answers)`, `build_plan(answers, today, directory) -> tuple[Step, ...]`,
  `step_lines`, `render_plan`
- evidence: `checklist`, `progress`, `catalogue`, `render_checklist`, `render_progress`
- negotiation: `options(answers) -> tuple[Finding, ...]`, `option_lines`, `render_options`
- letters: `complaint_letter(view, channel, text)`, `police_report(answers, text)`,
  `contacts_notice(answers, text)`, `negotiation_letter(view, text)`; police: `offence_lines`
- documents: `build(answers, text, official, lang)`: every document, in Chinese, with an English
  reading copy for English readers
- export: `build_case_file(answers, lang, text, today=..., official=...) -> CaseFile`,
  `render_markdown`, `render_json`, `render_docx` (channels call `Service.case_file(user_key)`)
"""
