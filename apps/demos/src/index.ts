export { loadBackends, parseBackend, contextFor, otherBackends, BACKEND_PACKAGES, type Candidate, type BackendSpec } from './backends.js';
export { loadMnist, loadMnistRaw, splitMnist, gather, SIDE, PIXELS, type MnistSplit, type DigitSet } from './mnist.js';
export { trainMnist, DEFAULT_TRAIN, DEFAULT_RESNET, MODEL_NAMES, MODEL_KERNELS, missingKernels, type ModelName, type TrainOptions, type TrainResult, type TrainHooks } from './train.js';
export { renderCurveHtml, svgPlot, smooth, type CurveData } from './curve.js';
export { decodeImage, encodePng, rgbaToChw, chwToRgba, upscale, type RgbImage } from './image.js';
export { applyFilter, gradientDisplay, hsvToRgb, KERNELS, FILTER_NAMES, type FilterResult } from './filters.js';
