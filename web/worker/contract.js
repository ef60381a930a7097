// The one written contract between the page (or an embedding editor), the worker and Python.
//
// The transport is comlink: the worker exposes one `DicomforgeWorker` (runtime.js) whose
// methods are below; each returns a structured value, never a thrown Error (comlink would
// drop an error's `file`). Jobs are dicomforge.jobs' (Python): their options are spelt here in
// camelCase and mapped to Python's snake_case in one place, dicomforge/jobs/schema.py, by one
// rule (`series_description` <-> `seriesDescription`); a name in another casing, or misspelt,
// fails the job with the list of valid names. Events are built by dicomforge/jobs/events.py;
// tests/py/jobs/test_contract.py checks that this file and Python name the same options and events.

/**
 * @typedef {object} InitOptions
 * @property {string} baseUrl  Absolute URL of the folder holding pyodide/, wheels/ and py/
 *   (the app's own origin; nothing is fetched from anywhere else).
 * @property {string} [packagesUrl]  URL of a hosted full Pyodide package set; when given,
 *   numpy is loaded from it (build-time setting DICOMFORGE_PACKAGES_URL). Empty: the js backend (kernels.js).
 * @property {number} [firstJobHeap]  Bytes of wasm heap written once after start-up, for the
 *   first job (default 192 MiB, see heap.js); 0 leaves the heap as it is (an embedding page short
 *   of memory: the first job then writes its pages itself).
 */

/**
 * @typedef {object} ReadyInfo  What `initialize` resolves with once Python is usable.
 * @property {true} ok
 * @property {string} pyodide      Pyodide version.
 * @property {string} python       Python version inside Pyodide.
 * @property {string} pydicom      pydicom version.
 * @property {string} dicomforge   dicomforge version.
 * @property {"numpy"|"js"|"stdlib"} backend  Active pixel backend.
 * @property {boolean} simd  Whether the js backend's WebAssembly SIMD kernels are installed.
 * @property {{volumeEndings: string[]}} inputKinds  File-name endings of volume files
 *   (dicomforge.kinds): the client posts those first.
 * @property {Object<string, JobDescription>} jobs  The product's jobs (JOB_NAMES), by name; the
 *   benchmark's jobs (BENCH_JOB_NAMES) run too but are not described here.
 * @property {string[]} warnings   Things the user should know once (e.g. numpy unavailable).
 * @property {Object<string, number>} timings  Milliseconds per start-up stage.
 */

/**
 * @typedef {object} JobDescription  A job as Python describes it (dicomforge.jobs.Registry.describe).
 * @property {string} summary
 * @property {Array<{name: string, jsName: string, kinds: string[], default: *, doc: string}>} options
 * @property {boolean} partial  It reads only the start of big inputs (describe).
 * @property {boolean} feed     It starts on the first inputs while the others are read.
 * @property {boolean} pixels   It decodes Pixel Data: the worker loads the codecs its inputs need
 *   (codecs.js) before handing them over.
 */

/**
 * @typedef {object} ProtocolError  A failure, as the page shows it.
 * @property {string} name     "DicomForgeError" for problems with the user's input or options,
 *   "RuntimeLoadError" when the runtime could not start, "Cancelled", or "InternalError".
 * @property {string} message  Words the user can act on.
 * @property {string|null} [file]  The input the problem concerns.
 * @property {string} [kind]   The Python error class (InputError, GeometryError, OptionsError, ...).
 * @property {string} [stage]  For RuntimeLoadError: the start-up stage that failed.
 * @property {Object<string, string>} [fields]  For OptionsError: option name (camelCase) -> the
 *   problem with it, so that a form can say it beside the field.
 */

/**
 * @typedef {object} JobInput  One input file, read by the worker. Blobs (Files) of 4 MiB
 *   and more are copied into Python chunk by chunk; for jobs that read only headers
 *   (`JobDescription.partial`) only their first MiB is, and the rest only if Python needs it.
 *   Blobs beyond the job's input budget (2 GiB of wasm addresses less the runtime and 256 MiB
 *   of working memory; together, per job) are never read whole: their header is still
 *   described, and a job needing their voxels reports an error naming the file's size and the
 *   budget, which is also every job's default `memoryBudget` (less what the worker keeps of
 *   other jobs' inputs).
 * @property {string} name
 * @property {File|Blob|ArrayBuffer|Uint8Array} data
 * @property {string} [key]  set by the client for File data: what the worker read of the input
 *   is kept under it for the next jobs (input-store.js)
 * @property {boolean} [later]  set by the client: `data` comes after the job has started, in
 *   an `addInputs(jobId, [[index, data], ...])` message (arrivals.js)
 */

// ---- the jobs' options (camelCase; every job also takes `memoryBudget`) --------------------

/**
 * @typedef {object} CommonOptions
 * @property {number|string} [memoryBudget]  The most bytes one volume may take (bytes, or a size
 *   like "800M"): inputs declaring more are refused before anything is allocated.
 */

/** @typedef {CommonOptions} DescribeOptions  `describe`: no options. */

/**
 * @typedef {object} SeriesOptions  `series`: volumes -> one DICOM series each.
 * @property {string} [seriesDescription]  (0008,103E) Series Description.
 * @property {number} [seriesNumber]  (0020,0011) Series Number (default 1).
 * @property {string} [modality]  "CT", "MR", or anything else for Secondary Capture (default: a
 *   DICOM series' own, else "OT").
 * @property {number} [instanceStart]  Instance Number of the first file (default 1).
 * @property {string} [filePattern]  printf pattern of the instance number (default "slice_%04d.dcm").
 * @property {string} [patientName]  (0010,0010), overrides the reference's.
 * @property {string} [patientId]  (0010,0020), overrides the reference's.
 * @property {string} [studyDescription]  (0008,1030), overrides the reference's.
 * @property {string} [studyInstanceUid]  Join this existing study.
 * @property {string} [uidPrefix]  Root for generated UIDs, ending in ".".
 * @property {boolean} [fromSource]  A DICOM series in keeps its patient, study, frame of reference,
 *   modality and acquisition attributes (default true); the fields above still win.
 * @property {string} [reference]  The name of an input (a DICOM file) whose patient and study
 *   attributes are copied; it is not converted.
 * @property {boolean} [renewUids]  A series rebuilt from a Zarr store's DICOM attributes gets new
 *   Study, Series, SOP Instance and Frame of Reference UIDs, consistently (default: kept).
 * @property {number|string} [memoryBudget]
 */

/**
 * @typedef {object} OverlayOptions  `overlay`: DICOM files + a label map (an input) or masks ->
 *   the same files with 60xx overlay planes.
 * @property {"G"|"R"} [type]  Overlay Type: graphics (default) or ROI.
 * @property {boolean} [keepUids]  Only the 60xx groups change (no derived copy).
 * @property {boolean} [replace]  Remove every existing overlay plane first.
 * @property {Array<string|number>} [removeGroups]  Existing groups to remove first: hex text
 *   ("6000") or the group's number (0x6000; the number 6000 is no overlay group).
 * @property {string} [seriesUid]  Series Instance UID of the derived copies (generated when empty).
 * @property {string} [seriesSuffix]  Appended to Series Description (default " (overlays)").
 * @property {string} [uidPrefix]  Root for generated UIDs, ending in ".".
 * @property {Array<number|string>} [labels]  Label values to draw, one plane each (default: all).
 * @property {Object<string, string>} [labelNames]  Label value -> Overlay Label.
 * @property {Object<string, Uint8Array|Uint8Array[]>} [masks]  SOP Instance UID -> mask (rows x
 *   columns x frames bytes, nonzero = set), or a list of masks (one plane each); instead of a label map.
 * @property {string} [labelMap]  The name of the input that is the label map (default: the one
 *   volume among the inputs; with a name, any other volume is an error for that input).
 * @property {number|string} [memoryBudget]
 */

/**
 * @typedef {object} PreviewOptions  `preview`: what the page's canvas needs for each DICOM input.
 * @property {number} [frame]  0-based frame (default 0).
 * @property {number} [center]  Window center (with width).
 * @property {number} [width]  Window width (with center).
 * @property {"LINEAR"|"LINEAR_EXACT"|"SIGMOID"} [function]  VOI LUT function of the window.
 * @property {string} [preset]  A window the file names, or a CT preset ("lung", "brain", ...).
 * @property {boolean|Array<number|string>} [overlays]  Overlay planes to draw (default true), or
 *   the groups to draw: hex text ("6000") or numbers (0x6000).
 * @property {string} [segmentation]  The name of an input that is a DICOM Segmentation: its segments
 *   come with the images it was made on as extra planes (group 0x10000 + segment number, its colours).
 * @property {number|string} [memoryBudget]
 */

/**
 * @typedef {object} RenderOptions  `render`: each DICOM input as RGBA (or PNG) in a window.
 * @property {number} [frame]
 * @property {number} [center]
 * @property {number} [width]
 * @property {"LINEAR"|"LINEAR_EXACT"|"SIGMOID"} [function]
 * @property {string} [preset]
 * @property {boolean|Array<number|string>} [overlays]
 * @property {boolean} [png]  A PNG file per input (`files`) instead of RGBA in the result.
 * @property {number|string} [memoryBudget]
 */

/** @typedef {CommonOptions} SampleOptions  `sample`: a phantom NIfTI file, no inputs. */

/**
 * @typedef {object} ConvertOptions  `convert`: DICOM files in another transfer syntax; compressed
 *   inputs (JPEG, JPEG-LS, JPEG 2000, HTJ2K, RLE) decoded. One file per input, under its name.
 * @property {"explicit"|"implicit"|"deflated"|"rle"} [to]  Explicit VR Little Endian (default),
 *   Implicit VR Little Endian, Deflated Explicit VR Little Endian or RLE Lossless.
 * @property {number|string} [memoryBudget]
 */

/**
 * @typedef {object} ZarrOptions  `zarr`: volumes (DICOM series included) -> Zarr v3 stores
 *   (OME-Zarr 0.5: a group, the array at "0"), one file event per store entry.
 * @property {"zstd"|"blosc"|"gzip"|"none"} [compressor]  Chunk compression (default zstd).
 * @property {number} [level]  Compression level (default 1).
 * @property {"bitshuffle"|"shuffle"|"noshuffle"} [shuffle]  Blosc's filter (default bitshuffle).
 * @property {number[]} [chunks]  Chunk shape [z, y, x] (default one slice per chunk).
 * @property {boolean} [dicom]  Keep a DICOM series' attributes in the store (default true).
 * @property {number|string} [memoryBudget]
 */

/**
 * @typedef {object} ExportOptions  `export`: volumes -> NIfTI-1, NRRD or MetaImage, one file each.
 * @property {"nifti"|"nii"|"nrrd"|"mha"} [format]  .nii.gz (default), .nii, .nrrd or .mha.
 * @property {boolean} [compress]  gzip the voxels of a NRRD or MetaImage file.
 * @property {boolean} [float32]  Real values (slope x stored + intercept) as float32, in every format.
 * @property {number|string} [memoryBudget]
 */

/**
 * @typedef {object} SegOptions  `seg`: DICOM images + a label map (an input) or masks -> one DICOM
 *   Segmentation (nothing written when a source, the label map or an option is wrong).
 * @property {"binary"|"labelmap"} [type]  Segmentation Storage (default) or Label Map Segmentation Storage.
 * @property {"MANUAL"|"SEMIAUTOMATIC"|"AUTOMATIC"} [algorithmType]  Of every segment (default MANUAL).
 * @property {string} [algorithmName]  Needed unless MANUAL.
 * @property {boolean} [keepEmptyFrames]  Write frames without a pixel of their segment.
 * @property {string} [seriesDescription]  (default "Segmentation").
 * @property {number} [seriesNumber]  (default 300).
 * @property {string} [contentLabel]  Upper case (default "SEGMENTATION").
 * @property {string} [contentCreator]  (0070,0084) Content Creator's Name.
 * @property {string} [uidPrefix]  Root for generated UIDs, ending in ".".
 * @property {Array<number|string>} [labels]  Label values, one segment each (default: all nonzero).
 * @property {Object<string, string>|string[]} [names]  Segment names: label value -> name, or a list in label order.
 * @property {Object<string, Uint8Array|Uint8Array[]>} [masks]  SOP Instance UID -> label values per pixel
 *   (rows x columns x frames bytes), or a list of binary masks, one per segment; instead of a label map.
 * @property {string} [labelMap]  The name of the input that is the label map (default: the one volume).
 * @property {number|string} [memoryBudget]
 */

/**
 * @typedef {object} InspectOptions  `inspect`: what is in each DICOM input. Each result has `part10`,
 *   `dicom` and `reason` (is it DICOM, as dcmftest says), and for "tree" `elements` (InspectNode[]),
 *   for "text" `text` (as dcmdump prints it).
 * @property {"tree"|"text"|"ftest"} [format]  (default "tree").
 * @property {number|string} [memoryBudget]
 */

/**
 * @typedef {object} InspectNode  One element of the inspector's tree; every value is plain text.
 * @property {string} path  Keyword path (`ReferencedSeriesSequence[0].SeriesInstanceUID`; private: `(0009,1001)`).
 * @property {string} tag   "(gggg,eeee)".
 * @property {string} keyword
 * @property {string} name
 * @property {string} vr
 * @property {number|null} length  Value length as stored; null: undefined length.
 * @property {string} [value]  The value as text, cut where long (the full length said).
 * @property {string} [hex]  Binary values: their first bytes in hex.
 * @property {string} [privateCreator]  Private elements: their block's creator.
 * @property {InspectNode[][]} [items]  Sequences: each item's elements.
 */

/**
 * @typedef {object} JsonOptions  `json`: DICOM files -> DICOM JSON (PS3.18 F.2), `<stem>.json` each.
 * @property {"inline"|"uri"} [bulk]  Binary values inline (base64, the default) or as BulkDataURIs
 *   `<stem>.bulk/<tag path>`, written as files of those names.
 * @property {number} [bulkThreshold]  With "uri": values from this many bytes on (default 1024).
 * @property {number|string} [memoryBudget]
 */

/**
 * @typedef {object} FromJsonOptions  `from_json`: `.json` inputs (their bulk data files beside them
 *   among the inputs) -> DICOM files `<stem>.dcm`.
 * @property {string} [transferSyntax]  UID to write (default Explicit VR Little Endian; needed for
 *   compressed Pixel Data).
 * @property {number|string} [memoryBudget]
 */

/**
 * @typedef {object} ModifyOptions  `modify`: DICOM files with elements set, inserted or deleted (as
 *   dcmodify -m, -i, -e), each output under its input's name; everything else kept as it was.
 * @property {Array<object|string>} [edits]  `{op: "set"|"insert"|"delete", path, value?, vr?}` each,
 *   in order; a path is a keyword or tag, through items (`ReferencedSeriesSequence[0].SeriesInstanceUID`,
 *   `[*]`: every item); text edits read "set PATH=VALUE", "insert PATH=VALUE", "delete PATH".
 * @property {boolean} [regenerateUids]  Every instance UID replaced, consistently across the files.
 * @property {string} [uidPrefix]
 * @property {string} [uidMap]  An earlier batch's UID map (JSON text): the same new UIDs again.
 * @property {boolean} [writeUidMap]  Also write `uid_map.json`.
 * @property {number|string} [memoryBudget]
 */

/**
 * @typedef {object} DeidentifyOptions  `deidentify`: DICOM files -> de-identified copies (PS3.15 Annex E
 *   basic profile and the options ticked), named by their new SOP Instance UIDs, with
 *   `deidentification_report.json` (tags and actions, no values) and, when asked, the mapping.
 * @property {boolean} [retainUids]
 * @property {"remove"|"keep"|"shift"} [dates]  (default "remove"; "shift": a random number of days per patient).
 * @property {boolean} [retainPatientCharacteristics]
 * @property {boolean} [retainDeviceIdentity]
 * @property {boolean} [retainInstitutionIdentity]
 * @property {boolean} [cleanDescriptors]
 * @property {boolean} [retainSafePrivate]
 * @property {string} [uidPrefix]  Root for the new UIDs, ending in ".".
 * @property {string} [patientName]  Written instead of the emptied Patient's Name (a subject code).
 * @property {string} [patientId]  Written instead of the emptied Patient ID.
 * @property {string} [mapping]  The JSON text of an earlier batch's mapping: the same new UIDs and date shifts.
 * @property {boolean} [writeMapping]  Also write `deidentification_mapping.json` (sensitive).
 * @property {number|string} [memoryBudget]
 */

/**
 * @typedef {object} ImageOptions  `image`: PNG / JPEG / Netpbm images -> DICOM Secondary Capture files of
 *   one new series (the page hands over images its own decoder decoded, as Netpbm PAM).
 * @property {string} [patientName]
 * @property {string} [patientId]
 * @property {string} [studyDescription]
 * @property {string} [seriesDescription]
 * @property {string} [modality]  (default "OT").
 * @property {"auto"|"RGB"|"MONOCHROME2"} [photometric]  (default "auto": grey images MONOCHROME2).
 * @property {string} [reference]  The name of an input (a DICOM file) whose patient and study are copied.
 * @property {string} [uidPrefix]
 * @property {number|string} [memoryBudget]
 */

/**
 * @typedef {object} BenchOptions  `bench` (the benchmark page's registry, dicomforge.bench.jobs).
 * @property {string[]} [workloads]  Names of the workloads to run (default: all).
 * @property {number} [slices]  N of the 512x512xN volumes (default 300).
 * @property {number} [files]  Files of the overlay workload (default 500).
 * @property {number} [runs]  Timed runs after the warm-up (default 5).
 * @property {number} [seed]  Seed of the synthetic inputs (default 1).
 * @property {"auto"|"numpy"|"js"|"stdlib"} [backend]  Pixel backend to measure (default "auto": the active one).
 * @property {number|string} [memoryBudget]
 */

/**
 * @typedef {object} BenchFixtureOptions  `bench_fixture`: the dcmjs reference's inputs.
 * @property {number} [slices]
 * @property {number} [files]
 * @property {number} [runs]
 * @property {number} [seed]
 * @property {number|string} [memoryBudget]
 */

// ---- what jobs produce -----------------------------------------------------------------

/**
 * @typedef {object} JobEvent  One step of a job, as dicomforge/jobs/events.py builds it.
 * @property {"progress"|"result"|"file"|"zip"|"warning"|"error"|"failed"|"wait"} type
 *   progress: `done` of `total`, `file`; result: `file`, `value` (see the values below);
 *   file: `name`, `data`; zip: `chunks`, `entries` (ZipEntry), `final`; warning: `file`,
 *   `message`; error: one input failed (ProtocolError fields); failed: the whole job stopped
 *   (ProtocolError fields, the last event); wait: the job needs an input still being read.
 */

/** The event types, in the order events.py lists them. */
export const EVENT_TYPES = Object.freeze(["progress", "result", "file", "zip", "warning", "error", "failed", "wait"]);

/**
 * @typedef {object} VolumeValue  A volume's description (describe and series results).
 * @property {"volume"|"labelmap"} kind  `labelmap`: an 8-bit volume with few values (`labels`).
 * @property {string} [format]  describe only: "nifti", "nrrd", "metaimage", "vtk".
 * @property {number[]} size  [columns, rows, slices].
 * @property {number[]} spacing  mm.
 * @property {number[]} origin  LPS, mm.
 * @property {number[][]} direction  Unit LPS axis vectors.
 * @property {string} dtype
 * @property {number} components
 * @property {string[]} warnings
 * @property {number[]} [labels]  The nonzero values of a label map.
 * @property {number} [files]  series only: files written.
 * @property {string} [seriesInstanceUid]  series only: the new series' UID.
 */

/**
 * @typedef {object} DicomValue  describe: a DICOM file's header summary (`kind: "dicom"`), with
 *   `file`, `sopClass`, `modality`, `patientName`, `patientId`, `studyDescription`,
 *   `seriesDescription`, `seriesInstanceUid`, `sopInstanceUid` (what per-file masks are keyed
 *   by), `rows`, `columns`, `frames`, `transferSyntax`,
 *   `instanceNumber` and `position` (mm along the slice normal; absent when the file lacks them:
 *   a viewer orders a series by them) and `overlays` (group, label, description, rows, columns,
 *   frames, type, origin, count).
 *   A file no reader recognises but a two-file header claims is `{kind: "partner"}`.
 */

/**
 * @typedef {object} OverlayValue  overlay: one result for the job.
 * @property {number} files  Files written.
 * @property {number} failed  Files that failed.
 * @property {string[]} labels  Overlay Labels of the planes added.
 * @property {string|null} seriesInstanceUid  The derived series' UID (null with keepUids).
 */

/**
 * @typedef {object} PreviewValue  preview: per file, what the canvas needs: `rows`, `columns`,
 *   `frames`, `frame`, `photometric`, `samples`, `dtype`, `pixels` (stored values), `range`,
 *   `overlays` ({group, label, description, type, color, bits}), `lut` (8-bit table indexed by
 *   value - `lutOffset`; absent for colour), `window`, `presets`, `display` (pass to displayLut),
 *   `warnings` (what the file gets wrong that the display worked around: say them beside the
 *   image) and `orientation` ({transpose, flipH, flipV, markers: {left, right, top, bottom}}:
 *   transpose, then mirror, to show the image as radiologists expect; markers absent when the
 *   file gives no orientation).
 */

/**
 * @typedef {object} ConvertValue  convert: per file `from` and `to` (Transfer Syntax UIDs),
 *   `bytes` (the output's size) and `name` (the output's); what changed beside the syntax comes
 *   as warnings.
 */

/**
 * @typedef {object} ZarrValue  zarr: per volume its VolumeValue fields and `entries`, `bytes` (the
 *   store), `ratio` (voxel bytes / chunk bytes) and `store` ("/" or the store's folder).
 */

/**
 * @typedef {object} ExportValue  export: per volume its VolumeValue fields, `name` and `bytes`.
 */

/**
 * @typedef {object} SegValue  seg: `name`, `type` (BINARY|LABELMAP), `frames`, `bytes`,
 *   `sopInstanceUid`, `seriesInstanceUid`, `segments` ({number, label, category, type, frames}).
 */

/**
 * @typedef {object} RenderValue  render: per file `width`, `height`, `rgba` (absent with `png`),
 *   `window`, `presets`, and `png` (the output file's name) with the `png` option; in stored
 *   orientation (as dcmj2pnm writes it). What the display worked around comes as warnings.
 */

// ---- the worker's answers ----------------------------------------------------------------

/**
 * @typedef {object} ProgressEvent  Sent to the job's `onProgress` callback.
 * @property {number} done   Inputs (or slices) finished.
 * @property {number} total
 * @property {string} [file] The input being worked on.
 */

/**
 * @typedef {object} JobResult  What `run` resolves with (`ok: false` carries `error`).
 * @property {boolean} ok
 * @property {Array<{file: string, value: *}>} results  One per input that succeeded.
 * @property {Array<{name: string, data: Uint8Array}>} files  Output files (transferred);
 *   empty when the job ran with `output.zip`.
 * @property {ZipOutput} [zip]  With `output.zip` (and `ok`): every output file in one archive.
 * @property {{wasm: number}} [memory]  Bytes of wasm memory after the job (it only grows, so
 *   this is the peak so far); for benchmarks.
 * @property {ProtocolError[]} errors  One per input that failed (including one the worker could
 *   not read: moved or deleted since it was chosen); the others still finished. Results and
 *   errors come in the order of the inputs.
 * @property {Array<{file: string|null, message: string}>} warnings
 * @property {ProtocolError} [error]  Set when the whole job failed (e.g. cancelled, a bad option).
 * @property {{read?: number, job?: number, python?: number, total?: number, decode?: Object<string, {frames: number, ms: number}>}} timings
 *   Milliseconds from the job's start: `read` until the last input was in Python (a job
 *   works on the first ones meanwhile, or waits), `total` until it ended, `job` = total - read,
 *   and `python`: of the total, Python producing events; `decode`: per codec family, the frames
 *   the worker's codecs decoded and the milliseconds they took (compressed inputs only).
 * @property {number} [progressReports]  How many progress reports the worker sent (the client
 *   resolves the job once they have all reached the caller's onProgress).
 * @property {{kept: number, read: number, readerBytes: number}} [inputs]  How many inputs the
 *   job found kept from an earlier job (see JobInput.key) and how many it read; of the bytes
 *   read meanwhile, how many the reader's worker read (blob-reader.js).
 */

/**
 * @typedef {object} OutputOptions  How `run` hands over output files (its 6th argument).
 * @property {{compression?: "STORE"|"DEFLATE"}} [zip]  Zip the outputs in the worker, in
 *   Python (dicomforge.jobs.zip_events), as each file is written: the archive is complete when
 *   the job ends, and its bytes go to blob storage chunk by chunk.
 */

/**
 * @typedef {object} ZipEntry  Where one output file lies in `ZipOutput.blob`.
 * @property {string} name
 * @property {number} offset  Byte offset of the entry's data (after its local header).
 * @property {number} size    Uncompressed size.
 * @property {number} compressedSize  Bytes stored: `blob.slice(offset, offset + compressedSize)`.
 * @property {"STORE"|"DEFLATE"} method  STORE: those bytes are the file; DEFLATE: raw deflate.
 */

/**
 * @typedef {object} ZipOutput
 * @property {Blob} blob  The zip archive (application/zip).
 * @property {ZipEntry[]} entries  In archive order.
 */

// ---- the worker's methods (runtime.js DicomforgeWorker) ---------------------------------
//   initialize(InitOptions) -> ReadyInfo | {ok: false, error: ProtocolError}
//   run(jobId, name, JobInput[], options, onProgress?, OutputOptions?) -> JobResult
//   addInputs(jobId, Array<[index, Blob]>)      data of the inputs marked `later`
//   cancel(jobId)                               the job stops at its next step
//   displayLut(PreviewValue.display, {center, width, function, voi}) -> {ok, lut} | {ok: false, error}
//   zip(Array<{name, data}>, {compression}) -> Blob   (files the caller supplies; jszip)

/** The product's jobs (dicomforge.jobs.JOBS). */
export const JOB_NAMES = Object.freeze(["describe", "series", "overlay", "preview", "render", "sample", "convert", "zarr", "export", "seg",
  "inspect", "json", "from_json", "modify", "deidentify", "image"]);

/** The module name a host registers its JavaScript pixel kernels (kernels.js) under, before
 * importing dicomforge; dicomforge.kernels.js_backend imports them by it (JS_MODULE). */
export const JS_KERNELS_MODULE = "dicomforge_js_kernels";

/** The benchmark page's jobs (dicomforge.bench.jobs.BENCH), outside the product's registry. */
export const BENCH_JOB_NAMES = Object.freeze(["bench", "bench_fixture"]);
