// Package slides checks presentation files before they go to a BBB pool
// and prepares their streamed upload. It imports no GUI code; the CLI
// (`tafel slides`) and the desktop app share it.
//
// # Why check locally
//
// BBB converts slides asynchronously and reports failures only inside the
// meeting, with messages such as "Presentation is too large" that omit the
// limit (bbb-api.md §4.2). Tafel therefore checks, before any upload:
//
//   - the size against the pool's limit (Limits.MaxFileSize, stock 30 MB),
//     before reading the content;
//   - the type by content, never by extension: magic numbers, the ZIP
//     container (OOXML part folders, the ODF mimetype entry) and the OLE2
//     directory (WordDocument, Workbook, PowerPoint Document). When the
//     extension does not match, the content wins: the file is uploaded under
//     a corrected name (Info.UploadName), because bbb-web picks its
//     converter by extension, and a Notice explains the rename;
//   - PDFs with pdfcpu (relaxed validation, bounded resources, config dir
//     disabled): corrupt files, password protection (user password → error,
//     owner-only restrictions → notice) and the page count against
//     Limits.MaxPages; PPTX/ODP slides and DOCX/ODT stored page counts too;
//   - JPG/PNG headers; zero-byte files.
//
// Every failure is an *Error with a stable Code (also the translation key)
// and the numbers a message needs; Message renders one sentence that names
// the limit and the fix, in German or English.
//
// # Upload
//
// Prepare packs validated files into batches whose inline XML body (base64
// included, exact bbbclient.EncodedSize) fits the pool's POST limit
// (Limits.MaxInlineBody, stock 2 MiB). The first batch goes with create,
// the rest with insertDocument (Plan.InsertAll). Files that can never fit
// inline end up in Plan.NeedURL: not a failure of the file, but an
// explanation that the pool must offer URL-based pre-upload for them.
// Documents stream from disk in chunks; Plan.Options reports plan-wide
// progress for a single progress bar.
//
// Example:
//
//	info, err := slides.Validate(ctx, "Stunde3.pptx", pool.Limits)
//	if err != nil {
//		fmt.Fprintln(os.Stderr, slides.Message(tr, err)) // names the limit and the fix
//		return
//	}
//	plan, _ := slides.Prepare([]*slides.Info{info}, slides.PrepareOptions{Limits: pool.Limits, FirstCurrent: true})
//	for _, e := range plan.NeedURL {
//		fmt.Fprintln(os.Stderr, slides.Message(tr, e))
//	}
//	err = plan.InsertAll(ctx, client, meetingID, 0, func(sent, total int64) { /* progress bar */ })
package slides
