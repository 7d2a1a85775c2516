/** Loads the driver's provider contract from proto/ (shared by the server, the CLI client and tests). */
import { fileURLToPath } from 'node:url';
import { loadPackageDefinition, type GrpcObject, type ServiceClientConstructor, type ServiceDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

/** Path of the .proto file; the same relative place from src/ and from dist/. */
export const PROTO_PATH = fileURLToPath(new URL('../../proto/v1alpha1/service.proto', import.meta.url));

/** The wire types as the loader hands them over (camelCase fields, bytes as Buffer). */
export interface WireObjectVersion {
  id: string;
  version: string;
}
export interface WireMountRequest {
  attributes: string;
  secrets: string;
  targetPath: string;
  permission: string;
  currentObjectVersion: WireObjectVersion[];
}
export interface WireMountResponse {
  objectVersion: WireObjectVersion[];
  error?: { code: string } | null;
  files: Array<{ path: string; mode: number; contents: Uint8Array }>;
}
export interface WireVersionResponse {
  version: string;
  runtimeName: string;
  runtimeVersion: string;
}

/** The loaded `v1alpha1.CSIDriverProvider` service: its definition and a client constructor. */
export interface ProviderProto {
  readonly service: ServiceDefinition;
  readonly Client: ServiceClientConstructor;
}

/** Loads the contract. Defaults make missing strings '' and missing lists [] as in proto3. */
export function loadProviderProto(): ProviderProto {
  const definition = loadSync(PROTO_PATH, { keepCase: false, longs: String, enums: String, defaults: true, arrays: true });
  const loaded = loadPackageDefinition(definition)['v1alpha1'] as GrpcObject;
  const Client = loaded['CSIDriverProvider'] as ServiceClientConstructor;
  return { service: Client.service, Client };
}
