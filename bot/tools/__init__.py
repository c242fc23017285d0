"""Case tools: pure functions from a session's answers to figures, findings, plans and documents.

Every function takes the answers dict (never mutated) and, where it produces words, a
`text(key, **params)` callable bound to the user's language; nothing here does I/O except
`plan.default_directory()`, which reads dialogs/channels.yaml once.

- calculator: `compute(LoanTerms, kind) -> LoanFigures`, `figures_from_answers`, `render_figures`
- affordability: `assess(income, essentials, other_debts, debt) -> Budget`, `budget_from_answers`,
  `render_budget`
- violations: `assess(answers) -> Assessment(likely, allowed)`, `render_assessment`, `citation`
- plan: `channel_ids(answers)`, `build_plan(answers, today, directory) -> tuple[Step, ...]`,
  `step_lines`, `render_plan`
- evidence: `checklist`, `progress`, `catalogue`, `render_checklist`
- negotiation: `options(answers) -> tuple[Finding, ...]`, `option_lines`, `render_options`
- letters: `complaint_letter(answers, channel, text)`, `negotiation_letter(answers, text)`
- export: `build_case_file(answers, lang, text, today=...) -> CaseFile`, `render_markdown`,
  `render_json`, `render_docx` (channels call `Service.case_file(user_key)`)
"""
