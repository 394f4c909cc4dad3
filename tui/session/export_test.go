package session

// NewIDWithNowForTest exposes newIDWithNow to the external tests.
var NewIDWithNowForTest = newIDWithNow
