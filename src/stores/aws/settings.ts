/** AWS store settings carried in a request's storeParams (region, failover, identity kind), and ARN parsing; pure. */
import { ConfigError } from '../../errors/courier-error.ts';
import type { FetchRequest } from '../backend.ts';

/** storeParams keys both AWS stores read; the native dialect takes them as `aws.<key>`. */
export const AWS_STORE_KEYS = ['region', 'failoverRegion', 'usePodIdentity', 'preferredAddressType'] as const;

/** The two AWS source names. */
export type AwsSource = 'aws-sm' | 'aws-ssm';

/** Per-object storeParams keys the aws dialect sets from an entry's `failoverObject`. */
export const FAILOVER_KEYS = { locator: 'failoverObjectName', version: 'failoverObjectVersion', stage: 'failoverObjectVersionLabel' } as const;

export const ADDRESS_TYPES = ['auto', 'ipv4', 'ipv6'] as const;
export type AddressType = (typeof ADDRESS_TYPES)[number];

/** Where and as whom one AWS request is made. */
export interface AwsSettings {
  readonly region: string;
  readonly failoverRegion?: string;
  readonly usePodIdentity: boolean;
  readonly preferredAddressType: AddressType;
}

/** A parsed ARN: `arn:<partition>:<service>:<region>:<account>:<resource>`. */
export interface Arn {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly account: string;
  readonly resource: string;
}

const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;

/** Parses an ARN, or returns undefined when `text` is not one. */
export function parseArn(text: string): Arn | undefined {
  const parts = text.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  const [, partition = '', service = '', region = '', account = ''] = parts;
  const resource = parts.slice(5).join(':');
  if (partition === '' || service === '' || resource === '') return undefined;
  return { partition, service, region, account, resource };
}

/** Why a value of an AWS setting is unusable, or undefined; shared by the dialects and the stores. */
export function checkAwsSetting(key: string, value: string): string | undefined {
  switch (key) {
    case 'region':
    case 'failoverRegion':
      return REGION.test(value) ? undefined : `"${value}" is not an AWS region name such as "us-east-1"`;
    case 'usePodIdentity':
      return parseBoolean(value) === undefined ? `must be "true" or "false", not "${value}"` : undefined;
    case 'preferredAddressType':
      return (ADDRESS_TYPES as readonly string[]).includes(value.toLowerCase()) ? undefined : `must be one of ${ADDRESS_TYPES.join(', ')}, not "${value}"`;
    default:
      return undefined;
  }
}

/** Why a failover region cannot be used with `region`, or undefined; the one message every dialect and the store give. */
export function failoverRegionProblem(region: string | undefined, failoverRegion: string | undefined): string | undefined {
  return failoverRegion !== undefined && failoverRegion === region ? `"${failoverRegion}" is also the region; the failover region must differ` : undefined;
}

/** Go's strconv.ParseBool spellings, which AWS-provider SecretProviderClasses may use. */
export function parseBoolean(value: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return undefined;
}

/**
 * Reads the settings of a request. The region falls back to the provider's default (--aws-region /
 * AWS_REGION). Throws ConfigError for a bad value, a missing region, or an ARN from another region.
 */
export function readAwsSettings(request: FetchRequest, defaultRegion: string | undefined): AwsSettings {
  const params = request.storeParams;
  for (const key of AWS_STORE_KEYS) {
    const value = params[key];
    const problem = value === undefined ? undefined : checkAwsSetting(key, value);
    if (problem !== undefined) throw new ConfigError(`${key}: ${problem}`);
  }
  const region = params['region'] ?? defaultRegion;
  if (region === undefined || region === '') {
    throw new ConfigError('no AWS region: set "region" in the SecretProviderClass (native: "aws.region") or start courier with --aws-region / AWS_REGION');
  }
  const failoverRegion = params['failoverRegion'];
  const failoverProblem = failoverRegionProblem(region, failoverRegion);
  if (failoverProblem !== undefined) throw new ConfigError(`failoverRegion: ${failoverProblem}`);
  const arn = parseArn(request.locator);
  if (arn && arn.region !== region) throw new ConfigError(`the ARN's region "${arn.region}" does not match the region "${region}"`);
  return {
    region,
    ...(failoverRegion === undefined ? {} : { failoverRegion }),
    usePodIdentity: parseBoolean(params['usePodIdentity'] ?? 'false') ?? false,
    preferredAddressType: (params['preferredAddressType']?.toLowerCase() ?? 'auto') as AddressType,
  };
}

/** The request to make in the failover region: the entry's failoverObject where it names one. */
export function toFailoverRequest(request: FetchRequest): FetchRequest {
  const params = request.storeParams;
  const locator = params[FAILOVER_KEYS.locator] ?? request.locator;
  const version = params[FAILOVER_KEYS.version] ?? request.version;
  const stage = params[FAILOVER_KEYS.stage] ?? request.stage;
  return { locator, ...(version === undefined ? {} : { version }), ...(stage === undefined ? {} : { stage }), storeParams: params };
}
