package xlsform

import "github.com/fieldsurvey/fieldsurvey/survey"

// roster converts a repeat into a roster question.
func (im *importer) roster(_ *survey.Questionnaire, r *row) *survey.Question {
	im.add(sheetSurvey, r.n, "type", "begin repeat: this build of fieldsurvey has no roster question type yet",
		"begin repeat: phiên bản fieldsurvey này chưa có loại câu hỏi bảng (roster)")
	return nil
}
