import { describe, expect, it } from "vitest";
import { listParamsToSearch, parseListParams, toApiQuery } from "./listParams";

describe("ticket list URL parameters", () => {
  it("round-trips every filter through the URL", () => {
    const search = new URLSearchParams("status=open,waiting&category=network&priority=high&assignee=me&q=vpn&sort=-priority&page=3&per_page=50");
    const params = parseListParams(search);
    expect(params).toEqual({
      statuses: ["open", "waiting"],
      category: "network",
      priority: "high",
      assignee: "me",
      q: "vpn",
      sort: "-priority",
      page: 3,
      perPage: 50,
    });
    expect(parseListParams(listParamsToSearch(params))).toEqual(params);
  });

  it("drops defaults so shared links stay short", () => {
    expect(listParamsToSearch(parseListParams(new URLSearchParams())).toString()).toBe("");
  });

  it("ignores values the API would refuse", () => {
    const params = parseListParams(
      new URLSearchParams("status=bogus&priority=extreme&assignee=someone&sort=drop%20table&page=-2&per_page=1000"),
    );
    expect(params).toMatchObject({ statuses: [], priority: "", assignee: "", sort: "-opened_at", page: 1, perPage: 25 });
  });

  it("builds the API query with list filters", () => {
    const params = parseListParams(new URLSearchParams("status=open&assignee=none&q=printer"));
    expect(toApiQuery(params)).toEqual({
      status: ["open"],
      assignee: ["none"],
      q: "printer",
      sort: "-opened_at",
      page: 1,
      per_page: 25,
    });
  });
});
