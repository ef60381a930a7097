// Worker entry: exposes the dicomforge runtime to the page through comlink.
import { expose } from "comlink";
import { DicomforgeWorker } from "./runtime.js";

expose(new DicomforgeWorker());
