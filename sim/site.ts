/**
 * What the simulator reads of a gateway's config: its doors and readers, as structural
 * types of its own. sim/ sits beside the gateway, not on it (issue 8): the gateway's
 * validated `Config` satisfies these, so cli/ hands it over as it is.
 */

/** A door: where the simulated people walk through. */
export interface SimDoor {
  readonly id: string;
  /** Doors without a building are the estate's gates. */
  readonly building?: string | undefined;
  /** The entrance (单元) within the building, when the door names one. */
  readonly entrance?: string | undefined;
  /** How long the door may stand open before the gateway calls it held open (issue 13). */
  readonly heldOpenSeconds?: number | undefined;
  /** How long after an unlock an opening is not forced (issue 13). */
  readonly forcedWindowSeconds?: number | undefined;
  /** The door's schedule: in passage hours it neither alarms forced nor held (issue 13). */
  readonly schedule?: string | undefined;
}

/** A reader at a door: a face terminal (mqtt-v1) or a serial device the sim can serve. */
export interface SimReader {
  readonly id: string;
  readonly door: string;
  /** Driver name: mqtt-v1 readers become face terminals, serial ones simulated devices. */
  readonly driver: string;
  /** Which way through the door a read counts. */
  readonly direction: 'in' | 'out';
  /** Driver options; the sim reads the serial path and a few line settings. */
  readonly options?: Readonly<Record<string, unknown>> | undefined;
}

/** The doors and readers of a site, as a gateway config lists them. */
export interface SimSite {
  readonly doors: readonly SimDoor[];
  readonly readers: readonly SimReader[];
}

/** A camera reader (driver onvif) the simulator can serve: on this machine, with its port. */
export function simCameraPort(r: SimReader): number | null {
  if (r.driver !== 'onvif') return null;
  const m = /^http:\/\/(127\.0\.0\.1|localhost):(\d+)\//.exec(
    typeof r.options?.url === 'string' ? r.options.url : '',
  );
  return m ? Number(m[2]) : null;
}
