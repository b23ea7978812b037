/**
 * Device-side counters of one engine, the speed proxies that hold on any device (they are the same
 * on SwiftShader and on a real GPU): how many kernels were dispatched, how many bytes kernels
 * loaded from and stored to device memory, how many device copies, mapAsync calls and host copies a
 * readback cost, and how many outputs each thread computed (outputs / threads).
 *
 * Bytes are a model, not a hardware counter: each dispatch reports the global-memory loads its
 * threads issue (a tiled kernel loads each tile element once per workgroup; a one-output-per-thread
 * kernel loads its whole dot product per output) and the bytes it stores; uploads count as bytes
 * written, readback copies as bytes read. Caches are ignored, so the model is an upper bound of
 * DRAM traffic that ranks kernels the way their memory traffic does.
 */
export interface DeviceStats {
  /** kernel dispatches (gpu.js kernels, WGSL kernels; a gpu.js upload kernel counts too) */
  launches: number;
  /** device-to-host reads */
  readbacks: number;
  /** device-to-staging buffer copies made by reads */
  readCopies: number;
  /** mapAsync calls made by reads (webgpu) */
  mapAsyncs: number;
  /** host-side copies of read data after it arrived (slices, reshapes, conversions) */
  hostCopies: number;
  /** host-to-device writes of tensor data */
  uploads: number;
  /** modeled bytes loaded from device memory by kernels and readback copies */
  bytesRead: number;
  /** modeled bytes stored to device memory by kernels and uploads */
  bytesWritten: number;
  /** threads (invocations) launched that compute outputs */
  threads: number;
  /** output elements computed */
  outputs: number;
}

export function newStats(): DeviceStats {
  return {
    launches: 0,
    readbacks: 0,
    readCopies: 0,
    mapAsyncs: 0,
    hostCopies: 0,
    uploads: 0,
    bytesRead: 0,
    bytesWritten: 0,
    threads: 0,
    outputs: 0,
  };
}

/** b - a, field by field: what one op (or one stretch of ops) cost. */
export function statsDelta(a: DeviceStats, b: DeviceStats): DeviceStats {
  const out = newStats();
  for (const k of Object.keys(out) as (keyof DeviceStats)[]) out[k] = b[k] - a[k];
  return out;
}
