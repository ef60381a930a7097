// Worker entry for the dcmjs reference (off the page's thread, like Pyodide's worker).
import { expose } from "comlink";
import { measureDcmjsSeries } from "./dcmjs-series.js";

expose({ measure: (fixture, onProgress) => measureDcmjsSeries(fixture, onProgress) });
