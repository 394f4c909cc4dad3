// Package xlsform converts an XLSForm — the spreadsheet form definition of ODK, Kobo,
// SurveyCTO and Ona — into a fieldsurvey questionnaire (`fieldsurvey questionnaire import`).
//
// It reads the survey, choices and settings sheets of an .xlsx workbook with excelize and
// builds a survey.Questionnaire, which it then writes as a questionnaire file (Marshal) and
// loads back with questionnaires.ParseStrict: an imported form passes exactly the checks
// `questionnaire add` makes, and the YAML it gives is the file that is added or written.
//
// What it guarantees:
//   - Every problem is reported at once, each placed on its cell as
//     "FILE: SHEET!ROW: COLUMN: message" in English and Vietnamese (Error, Problem),
//     including the loader's own findings, mapped back from the questionnaire to the row
//     they come from. A problem that only follows from another (a reference to a row whose
//     type is refused) is not reported twice.
//   - Nothing is guessed: a formula in a cell (its value would be whatever a spreadsheet
//     last computed), an unknown type, a missing choice list, an unsupported XPath function
//     or path, an unknown ${name}, a cyclic relevant, a duplicate name and an unclosed group
//     or repeat are refused.
//   - XPath is translated by a parser (xpath.go), not by text substitution, into the
//     expression language of survey/expr.go, keeping XPath's treatment of unanswered
//     fields in comparisons.
//
// Groups become sections (sections do not nest: see build); repeats become roster
// questions (roster.go); a row with a fieldsurvey_scale becomes a rating question, on the
// built-in readiness scale or on a scale copied from the bundled instrument that defines
// it (ODRA's "odra"); a select typed "LIST or_other" gets the choice "other" and a text
// question NAME_other asked when it is chosen, as ODK's converter adds them (other.go).
// Workbooks are bounded (MaxFileSize, and the unpacked size) before they are read.
package xlsform
