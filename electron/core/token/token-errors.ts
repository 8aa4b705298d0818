import { CoreError, ErrorCode } from '../../../shared/contract/errors';

/**
 * PKCS#11 return values we act on (PKCS#11 v2.40, section 3.6). Kept here as numbers so the
 * mapping can be used and unit-tested without loading the native pkcs11js module.
 */
export const CKR = {
  CANCEL: 0x01,
  HOST_MEMORY: 0x02,
  SLOT_ID_INVALID: 0x03,
  GENERAL_ERROR: 0x05,
  FUNCTION_FAILED: 0x06,
  ARGUMENTS_BAD: 0x07,
  DATA_INVALID: 0x20,
  DATA_LEN_RANGE: 0x21,
  DEVICE_ERROR: 0x30,
  DEVICE_MEMORY: 0x31,
  DEVICE_REMOVED: 0x32,
  ENCRYPTED_DATA_INVALID: 0x40,
  ENCRYPTED_DATA_LEN_RANGE: 0x41,
  FUNCTION_NOT_SUPPORTED: 0x54,
  KEY_HANDLE_INVALID: 0x60,
  KEY_TYPE_INCONSISTENT: 0x63,
  KEY_FUNCTION_NOT_PERMITTED: 0x68,
  MECHANISM_INVALID: 0x70,
  MECHANISM_PARAM_INVALID: 0x71,
  OBJECT_HANDLE_INVALID: 0x82,
  PIN_INCORRECT: 0xa0,
  PIN_INVALID: 0xa1,
  PIN_LEN_RANGE: 0xa2,
  PIN_EXPIRED: 0xa3,
  PIN_LOCKED: 0xa4,
  SESSION_CLOSED: 0xb0,
  SESSION_HANDLE_INVALID: 0xb3,
  TOKEN_NOT_PRESENT: 0xe0,
  TOKEN_NOT_RECOGNIZED: 0xe1,
  USER_ALREADY_LOGGED_IN: 0x100,
  USER_NOT_LOGGED_IN: 0x101,
  USER_PIN_NOT_INITIALIZED: 0x102,
  CRYPTOKI_NOT_INITIALIZED: 0x190,
} as const;

/** The token error codes: the subset of the contract's stable codes the token layer raises. */
export type TokenErrorCode =
  | typeof ErrorCode.TokenPinIncorrect
  | typeof ErrorCode.TokenPinLocked
  | typeof ErrorCode.TokenPinExpired
  | typeof ErrorCode.TokenPinInvalid
  | typeof ErrorCode.TokenNotPresent
  | typeof ErrorCode.TokenRemoved
  | typeof ErrorCode.TokenSessionClosed
  | typeof ErrorCode.TokenMechanismUnsupported
  | typeof ErrorCode.TokenKeyNotFound
  | typeof ErrorCode.TokenNotLoggedIn
  | typeof ErrorCode.TokenBusy
  | typeof ErrorCode.TokenDeviceError
  | typeof ErrorCode.TokenModuleUnavailable
  | typeof ErrorCode.TokenHostFailed
  | typeof ErrorCode.Cancelled;

/** What the token's flags say about the PIN after a failed login (PKCS#11 CKF_USER_PIN_*). */
export type PinTriesHint = 'low' | 'final-try' | 'locked';

export interface Bilingual {
  readonly vi: string;
  readonly en: string;
}

/**
 * Messages per code, in both languages. The renderer has its own copies in its locale files
 * (keyed by the code); these are for the CLI and logs, which have no i18n runtime.
 */
export const TOKEN_MESSAGES: Readonly<Record<TokenErrorCode, Bilingual>> = {
  E_TOKEN_PIN_INCORRECT: { en: 'the PIN is incorrect', vi: 'mã PIN không đúng' },
  E_TOKEN_PIN_LOCKED: {
    en: 'the PIN is locked after too many wrong attempts; IT must unblock it',
    vi: 'mã PIN đã bị khóa do nhập sai quá nhiều lần; bộ phận CNTT phải mở khóa',
  },
  E_TOKEN_PIN_EXPIRED: { en: 'the PIN has expired', vi: 'mã PIN đã hết hạn' },
  E_TOKEN_PIN_INVALID: {
    en: 'the PIN has a length or characters this token refuses',
    vi: 'mã PIN có độ dài hoặc ký tự mà token không chấp nhận',
  },
  E_TOKEN_NOT_PRESENT: { en: 'no token is inserted', vi: 'chưa cắm token' },
  E_TOKEN_REMOVED: { en: 'the token was removed', vi: 'token đã bị rút ra' },
  E_TOKEN_SESSION_CLOSED: { en: 'the token session was lost', vi: 'mất phiên làm việc với token' },
  E_TOKEN_MECHANISM_UNSUPPORTED: {
    en: 'the token does not support this algorithm',
    vi: 'token không hỗ trợ thuật toán này',
  },
  E_TOKEN_KEY_NOT_FOUND: {
    en: 'the key or certificate is not on the token',
    vi: 'không có khóa hoặc chứng thư này trên token',
  },
  E_TOKEN_NOT_LOGGED_IN: { en: 'the token needs the PIN first', vi: 'cần nhập mã PIN của token trước' },
  E_TOKEN_BUSY: {
    en: 'another operation is using the token',
    vi: 'một thao tác khác đang dùng token',
  },
  E_TOKEN_DEVICE_ERROR: {
    en: 'the token or its driver reported an error',
    vi: 'token hoặc trình điều khiển báo lỗi',
  },
  E_TOKEN_MODULE_UNAVAILABLE: {
    en: 'the token driver (PKCS#11 module) cannot be loaded',
    vi: 'không nạp được trình điều khiển token (mô-đun PKCS#11)',
  },
  E_TOKEN_HOST_FAILED: { en: 'the token process stopped', vi: 'tiến trình token đã dừng' },
  E_CANCELLED: { en: 'cancelled', vi: 'đã hủy' },
};

const HINT_TEXT: Readonly<Record<PinTriesHint, Bilingual>> = {
  low: { en: 'few tries are left', vi: 'chỉ còn ít lần thử' },
  'final-try': {
    en: 'one try is left before the PIN locks',
    vi: 'chỉ còn một lần thử trước khi PIN bị khóa',
  },
  locked: { en: 'the PIN is now locked', vi: 'mã PIN hiện đã bị khóa' },
};

/**
 * A token failure with a stable contract code, so it crosses the dispatcher unchanged. The
 * message is English (with the Vietnamese in `messages`); it never contains the PIN, key
 * material or data, only the code, the CKR_ name and, after a wrong PIN, the tries hint.
 */
export class TokenError extends CoreError {
  override readonly code: TokenErrorCode;
  readonly messages: Bilingual;
  /** The PKCS#11 return value's name when the error came from the module (`CKR_PIN_INCORRECT`). */
  readonly ckr: string | undefined;
  readonly triesHint: PinTriesHint | undefined;

  constructor(code: TokenErrorCode, opts: { ckr?: string; triesHint?: PinTriesHint; detail?: string } = {}) {
    const base = TOKEN_MESSAGES[code];
    const hint = opts.triesHint ? HINT_TEXT[opts.triesHint] : undefined;
    const messages: Bilingual = {
      en: [base.en, hint?.en, opts.detail].filter(Boolean).join('; '),
      vi: [base.vi, hint?.vi].filter(Boolean).join('; '),
    };
    super(code, `${messages.en}${opts.ckr ? ` (${opts.ckr})` : ''}`);
    this.name = 'TokenError';
    this.code = code;
    this.messages = messages;
    this.ckr = opts.ckr;
    this.triesHint = opts.triesHint;
  }
}

const CKR_NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(CKR).map(([name, value]) => [value, `CKR_${name}`]),
);

/** The CKR_ name of a return value, or its hex when we do not list it. */
export function ckrName(rv: number): string {
  return CKR_NAMES.get(rv) ?? `CKR_0x${rv.toString(16).padStart(8, '0')}`;
}

/**
 * Maps a PKCS#11 return value to our code. Lock-out and removal matter most for the officer:
 * a locked PIN must never look like a wrong one (they would try again), and a pulled token
 * must say so rather than "general error". Unknown values become a device error (fail closed).
 */
export function tokenErrorCodeFor(rv: number): TokenErrorCode {
  switch (rv) {
    case CKR.PIN_INCORRECT:
      return ErrorCode.TokenPinIncorrect;
    case CKR.PIN_LOCKED:
      return ErrorCode.TokenPinLocked;
    case CKR.PIN_EXPIRED:
      return ErrorCode.TokenPinExpired;
    case CKR.PIN_INVALID:
    case CKR.PIN_LEN_RANGE:
      return ErrorCode.TokenPinInvalid;
    case CKR.TOKEN_NOT_PRESENT:
    case CKR.TOKEN_NOT_RECOGNIZED:
    case CKR.SLOT_ID_INVALID:
      return ErrorCode.TokenNotPresent;
    case CKR.DEVICE_REMOVED:
      return ErrorCode.TokenRemoved;
    case CKR.SESSION_CLOSED:
    case CKR.SESSION_HANDLE_INVALID:
      return ErrorCode.TokenSessionClosed;
    case CKR.MECHANISM_INVALID:
    case CKR.MECHANISM_PARAM_INVALID:
    case CKR.KEY_TYPE_INCONSISTENT:
    case CKR.KEY_FUNCTION_NOT_PERMITTED:
    case CKR.FUNCTION_NOT_SUPPORTED:
      return ErrorCode.TokenMechanismUnsupported;
    case CKR.KEY_HANDLE_INVALID:
    case CKR.OBJECT_HANDLE_INVALID:
      return ErrorCode.TokenKeyNotFound;
    case CKR.USER_NOT_LOGGED_IN:
    case CKR.USER_PIN_NOT_INITIALIZED:
      return ErrorCode.TokenNotLoggedIn;
    case CKR.USER_ALREADY_LOGGED_IN:
      return ErrorCode.TokenBusy;
    case CKR.CANCEL:
      return ErrorCode.Cancelled;
    default:
      return ErrorCode.TokenDeviceError;
  }
}

/** The CKF_USER_PIN_* token flags, turned into the hint shown after a failed login. */
export const CKF_USER_PIN_COUNT_LOW = 0x0001_0000;
export const CKF_USER_PIN_FINAL_TRY = 0x0002_0000;
export const CKF_USER_PIN_LOCKED = 0x0004_0000;
export const CKF_USER_PIN_TO_BE_CHANGED = 0x0008_0000;

export function pinTriesHint(flags: number): PinTriesHint | undefined {
  if (flags & CKF_USER_PIN_LOCKED) return 'locked';
  if (flags & CKF_USER_PIN_FINAL_TRY) return 'final-try';
  if (flags & CKF_USER_PIN_COUNT_LOW) return 'low';
  return undefined;
}

/**
 * Builds the TokenError for a PKCS#11 failure. `removed` says whether the token has left the
 * slot list since the operation began: some modules (SoftHSM, several smart-card drivers)
 * answer a pulled token with CKR_GENERAL_ERROR or an invalid handle, and the officer must
 * hear "removed", not "device error".
 */
export function tokenErrorFromCkr(
  rv: number,
  opts: { removed?: boolean; tokenFlags?: number } = {},
): TokenError {
  let code = tokenErrorCodeFor(rv);
  if (opts.removed && code !== ErrorCode.TokenPinIncorrect) code = ErrorCode.TokenRemoved;
  const hint = opts.tokenFlags === undefined ? undefined : pinTriesHint(opts.tokenFlags);
  // After CKR_PIN_INCORRECT a token that now reports "locked" has locked on this attempt.
  if (code === ErrorCode.TokenPinIncorrect && hint === 'locked') code = ErrorCode.TokenPinLocked;
  return new TokenError(code, { ckr: ckrName(rv), ...(hint ? { triesHint: hint } : {}) });
}
