package preflight

import "github.com/tafel-schule/tafel/checkreport"

// The report types live in checkreport (no cgo); these names keep the
// runner's API whole.
type (
	Verdict = checkreport.Verdict
	Result  = checkreport.Result
	Item    = checkreport.Item
	Report  = checkreport.Report
)

const (
	Pass    = checkreport.Pass
	Warn    = checkreport.Warn
	Fail    = checkreport.Fail
	Skipped = checkreport.Skipped

	CheckHeadset    = checkreport.CheckHeadset
	CheckMicrophone = checkreport.CheckMicrophone
	CheckNetwork    = checkreport.CheckNetwork
	CheckPool       = checkreport.CheckPool
)
