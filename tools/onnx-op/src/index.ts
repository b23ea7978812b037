export { singleOpModel, floatAttr, type AttrValue, type FloatAttr, type ElemType, type ValueInfo, type ModelOptions } from './encoder.js';
export { runOnnxOp, loadOrt, type Ort, type OpInput, type OpOutput, type RunOptions } from './run.js';
