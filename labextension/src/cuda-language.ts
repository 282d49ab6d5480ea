// CUDA for CodeMirror 6: the C++ stream parser of @codemirror/legacy-modes, with CUDA's own
// words recognised on top of it. Qualifiers, built-in variables, intrinsics, vector types and
// the launch brackets `<<<` `>>>` get highlighting tags derived from the standard ones (so any
// theme colours them as modifiers, special variables, standard names, types and operators) and
// stable class names (`cm-cuda-*`) of their own. No JupyterLab here: index.ts registers it.
import { LanguageSupport, StreamLanguage, syntaxHighlighting, type StreamParser } from '@codemirror/language';
import { cpp } from '@codemirror/legacy-modes/mode/clike';
import { Tag, tagHighlighter, tags } from '@lezer/highlight';

/** Marks a standard tag as CUDA's, so a highlighter can tell `__global__` from `static`. */
const cudaModifier = Tag.defineModifier('cuda');

/** The token names CUDA's words get, each with a standard tag plus the `cuda` modifier (names
 * distinct from the legacy ones, such as `type` and `qualifier`, that C++ itself returns). */
export const cudaTokens = {
  cudaQualifier: cudaModifier(tags.modifier),
  cudaBuiltin: cudaModifier(tags.special(tags.variableName)),
  cudaIntrinsic: cudaModifier(tags.standard(tags.variableName)),
  cudaType: cudaModifier(tags.typeName),
  cudaLaunch: cudaModifier(tags.special(tags.operator)),
};
type CudaToken = keyof typeof cudaTokens;

/** The class each CUDA token carries in the editor, whatever the theme. */
export const cudaClasses: Record<CudaToken, string> = {
  cudaQualifier: 'cm-cuda-qualifier',
  cudaBuiltin: 'cm-cuda-builtin',
  cudaIntrinsic: 'cm-cuda-intrinsic',
  cudaType: 'cm-cuda-type',
  cudaLaunch: 'cm-cuda-launch',
};

const words = (text: string): ReadonlySet<string> => new Set(text.split(/\s+/).filter(Boolean));

/** Function, variable and launch qualifiers (CUDA C++ Programming Guide, "C++ language extensions"). */
const QUALIFIERS = words(`
  __global__ __device__ __host__ __noinline__ __forceinline__ __inline_hint__ __launch_bounds__
  __maxnreg__ __cluster_dims__ __shared__ __constant__ __managed__ __grid_constant__ __restrict__`);

/** The built-in variables every kernel sees. */
const BUILTIN_VARIABLES = words('threadIdx blockIdx blockDim gridDim warpSize');

/** Synchronisation, memory fences, atomics, warp functions and the commonest device intrinsics. */
const INTRINSICS = words(`
  __syncthreads __syncthreads_count __syncthreads_and __syncthreads_or __syncwarp
  __threadfence __threadfence_block __threadfence_system
  atomicAdd atomicSub atomicExch atomicMin atomicMax atomicInc atomicDec atomicCAS atomicAnd atomicOr atomicXor
  __shfl_sync __shfl_up_sync __shfl_down_sync __shfl_xor_sync __ballot_sync __any_sync __all_sync __match_any_sync
  __match_all_sync __activemask __reduce_add_sync __reduce_min_sync __reduce_max_sync
  __ldg __ldcg __ldca __ldcs __stcg __stcs __popc __popcll __clz __clzll __ffs __ffsll __brev __byte_perm
  __fdividef __expf __exp10f __logf __log2f __log10f __sinf __cosf __tanf __sincosf __powf __saturatef
  __fmaf_rn __fadd_rn __fmul_rn __float2int_rn __int2float_rn __float2half __half2float
  __nanosleep`);

/** Vector and CUDA runtime types. */
const TYPES = words(`
  dim3 cudaError_t cudaStream_t cudaEvent_t cudaDeviceProp __half __half2 __nv_bfloat16
  char1 char2 char3 char4 uchar1 uchar2 uchar3 uchar4 short1 short2 short3 short4 ushort1 ushort2 ushort3 ushort4
  int1 int2 int3 int4 uint1 uint2 uint3 uint4 long1 long2 long3 long4 ulong1 ulong2 ulong3 ulong4
  longlong1 longlong2 longlong3 longlong4 ulonglong1 ulonglong2 ulonglong3 ulonglong4
  float1 float2 float3 float4 double1 double2 double3 double4`);

const LAUNCH = words('<<< >>>');

/** The token name C++'s parser gave a word, replaced by CUDA's when the word is CUDA's own. */
function cudaToken(word: string, style: string | null): CudaToken | string | null {
  if (style === 'operator') return LAUNCH.has(word) ? 'cudaLaunch' : style;
  if (style !== 'variable' && style !== 'builtin' && style !== 'def') return style;
  if (QUALIFIERS.has(word)) return 'cudaQualifier';
  if (BUILTIN_VARIABLES.has(word)) return 'cudaBuiltin';
  if (INTRINSICS.has(word)) return 'cudaIntrinsic';
  if (TYPES.has(word)) return 'cudaType';
  return style;
}

const cppParser = cpp as StreamParser<unknown>;

/** C++'s stream parser with CUDA's words: C++ tokenises, CUDA renames what it recognises. */
export const cudaParser: StreamParser<unknown> = {
  ...cppParser,
  name: 'cuda',
  token(stream, state) {
    const style = cppParser.token(stream, state);
    return cudaToken(stream.current(), style);
  },
  tokenTable: cudaTokens,
};

/** The highlighter that gives CUDA's tokens their `cm-cuda-*` classes. */
const cudaClassHighlighter = tagHighlighter(
  (Object.keys(cudaTokens) as CudaToken[]).map((token) => ({ tag: cudaTokens[token], class: cudaClasses[token] })),
);

/** CUDA as a CodeMirror 6 language, with the highlighter for its class names. */
export function cuda(): LanguageSupport {
  return new LanguageSupport(StreamLanguage.define(cudaParser), [syntaxHighlighting(cudaClassHighlighter)]);
}
