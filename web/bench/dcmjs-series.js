// The pure-JavaScript reference for the series_int16 workload: the same series written
// with dcmjs (the library a JS user would otherwise reach for), timed like
// dicomforge.bench times Python: a warm-up on 3 slices, then `runs` runs over every slice.
//
// What is equivalent: the output files carry the same elements with the same values as
// ours (the per-series elements are taken from our first file, read by dcmjs), the same
// per-slice elements (SOP Instance UID, Instance Number, Image Position, Slice Location,
// Pixel Data) are set for each slice, and each file is written as Explicit VR Little Endian
// Part 10 bytes. What is not: dcmjs starts from decoded voxels and our template, so it
// does not read the NIfTI, check the geometry, fit the value range or build the template
// (our figure includes all of those), and it runs on the JS engine, not in wasm.
import dcmjs from "dcmjs";

const { DicomMessage, DicomMetaDictionary, datasetToDict } = dcmjs.data;
const WARMUP_SLICES = 3;

/** Median, p95, min and max, with p95 defined as in dicomforge.bench. */
export function stats(values) {
  const ordered = [...values].sort((a, b) => a - b);
  const mid = ordered.length >> 1;
  const median = ordered.length % 2 ? ordered[mid] : (ordered[mid - 1] + ordered[mid]) / 2;
  const p95 = ordered[Math.min(ordered.length - 1, Math.ceil(0.95 * ordered.length) - 1)];
  return { median, p95, min: ordered[0], max: ordered[ordered.length - 1] };
}

/** A new UID under 2.25 (a UUID as a decimal integer, PS3.5 B.2). */
function newUid() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  return `2.25.${value}`;
}

const cross = (a, b) => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const dot = (a, b) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const ds = (v) => Number(v.toFixed(6)); // DS values as our writer rounds them (well within 16 characters)

/**
 * A writer of the series' slices from our first file (the template) and the voxels.
 * @param {ArrayBuffer} template  our slice 1 (Part 10)
 * @param {ArrayBuffer} voxels    int16 voxels, x fastest, slices along the normal
 * @returns {{slices: number, sliceBytes: number, write: (k: number) => ArrayBuffer}}
 */
export function dcmjsSeriesWriter(template, voxels) {
  const parsed = DicomMessage.readFile(template);
  const base = DicomMetaDictionary.naturalizeDataset(parsed.dict);
  const transferSyntax = parsed.meta["00020010"].Value[0];
  const ipp0 = base.ImagePositionPatient.map(Number);
  const iop = base.ImageOrientationPatient.map(Number);
  const normal = cross(iop.slice(0, 3), iop.slice(3));
  const step = Number(base.SpacingBetweenSlices);
  const sliceBytes = base.Rows * base.Columns * 2;
  const first = Number(base.InstanceNumber);
  return {
    slices: voxels.byteLength / sliceBytes,
    sliceBytes,
    write(k) {
      const position = ipp0.map((p, i) => ds(p + k * step * normal[i]));
      const dataset = {
        ...base,
        _meta: { TransferSyntaxUID: { Value: [transferSyntax] } },
        SOPInstanceUID: newUid(),
        InstanceNumber: first + k,
        ImagePositionPatient: position,
        SliceLocation: ds(dot(position, normal)),
        PixelData: [voxels.slice(k * sliceBytes, (k + 1) * sliceBytes)],
      };
      return datasetToDict(dataset).write();
    },
  };
}

/**
 * Time dcmjs writing the series, in the figures format of dicomforge.bench.
 * @param {{template: ArrayBuffer, voxels: ArrayBuffer, params: object, runs: number, version: string}} fixture
 * @param {(done: number, total: number) => void} [onProgress]
 */
export function measureDcmjsSeries({ template, voxels, params, runs, version }, onProgress) {
  const writer = dcmjsSeriesWriter(template, voxels);
  for (let k = 0; k < Math.min(WARMUP_SLICES, writer.slices); k++) writer.write(k);
  const runMs = [];
  let written = 0;
  let lastReport = 0;
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    for (let k = 0; k < writer.slices; k++) written += writer.write(k).byteLength > 0;
    runMs.push(performance.now() - start);
    if (onProgress && performance.now() - lastReport > 100) {
      lastReport = performance.now();
      onProgress(written, writer.slices * runs);
    }
  }
  const median = stats(runMs).median / 1000;
  return {
    workload: "series_int16",
    version,
    title: `dcmjs ${version} writing the same ${writer.slices} slices from decoded voxels and our first file`,
    unit: "slice",
    count: writer.slices,
    params,
    runs,
    run_ms: stats(runMs),
    per_unit_ms: stats(runMs.map((t) => t / writer.slices)),
    per_s: writer.slices / median,
    mb_per_s: voxels.byteLength / median / 1e6,
  };
}
