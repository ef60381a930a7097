// The viewer's order: by series, then along the slice normal, then Instance Number, then name.
import assert from "node:assert/strict";
import { test } from "node:test";
import { viewingOrder } from "../../web/ui/image-order.js";

test("shuffled slices of two series step along the normal, series by series", () => {
  const info = {
    "b3.dcm": { seriesInstanceUid: "1", position: 30, instanceNumber: 1 },
    "x.dcm": { seriesInstanceUid: "2", position: -5, instanceNumber: 9 },
    "b1.dcm": { seriesInstanceUid: "1", position: -10.5, instanceNumber: 3 },
    "b2.dcm": { seriesInstanceUid: "1", position: 7, instanceNumber: 2 },
    "y.dcm": { seriesInstanceUid: "2", position: -15, instanceNumber: 1 },
  };
  const images = Object.keys(info).map((name) => ({ name }));
  assert.deepEqual(viewingOrder(images, (i) => info[i.name]).map((i) => i.name), ["b1.dcm", "b2.dcm", "b3.dcm", "y.dcm", "x.dcm"]);
});

test("without positions: Instance Number, then names in natural order; files without a series stay apart", () => {
  const info = {
    "IM10": { seriesInstanceUid: "s" }, "IM9": { seriesInstanceUid: "s" },
    "c.dcm": { seriesInstanceUid: "s", instanceNumber: 2 }, "a.dcm": { seriesInstanceUid: "s", instanceNumber: 1 },
    "lone.dcm": {},
  };
  const images = ["IM10", "lone.dcm", "c.dcm", "IM9", "a.dcm"].map((name) => ({ name }));
  assert.deepEqual(viewingOrder(images, (i) => info[i.name]).map((i) => i.name), ["a.dcm", "c.dcm", "IM9", "IM10", "lone.dcm"]);
});
