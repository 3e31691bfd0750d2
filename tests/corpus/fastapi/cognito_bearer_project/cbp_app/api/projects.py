"""Project routes; who is calling comes from deps.current_member on each request."""
# corpus: class=4 provider=cognito

from fastapi import APIRouter, Depends, HTTPException

from cbp_app.api.deps import current_member

router = APIRouter(prefix="/projects")
PROJECTS: dict[str, dict] = {}


@router.get("")
def list_projects(member: dict = Depends(current_member)) -> list[dict]:
    return [p for p in PROJECTS.values() if p["owner"] == member["id"]]


@router.delete("/{project_id}")
def delete_project(project_id: str, member: dict = Depends(current_member)) -> dict:
    project = PROJECTS.get(project_id)
    if project is None:
        raise HTTPException(status_code=404)
    if project["owner"] != member["id"] and "admins" not in member["groups"]:
        raise HTTPException(status_code=403)
    del PROJECTS[project_id]
    return {"deleted": project_id}
